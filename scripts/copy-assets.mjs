// Copies what tsc does not: the SQL migrations (and any other non-TypeScript assets under src/).
import fs from 'node:fs';
import path from 'node:path';

const copy = (from, to) => {
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const src = path.join(from, entry.name);
    const dst = path.join(to, entry.name);
    if (entry.isDirectory()) copy(src, dst);
    else if (/\.(sql|ttf|otf|woff2?|css|html|json)$/.test(entry.name)) {
      fs.mkdirSync(to, { recursive: true });
      fs.copyFileSync(src, dst);
    }
  }
};
copy('src', 'dist');
