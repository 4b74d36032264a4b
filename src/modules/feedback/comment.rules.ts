/**
 * Pure rules for the optional comment on a scale rating: normalise it, refuse abuse, links and
 * overlong text with a bilingual message, and mask personal data before it is stored or shown
 * on a public page. No I/O.
 */

export type Bilingual = { zh: string; en: string };

/** A comment may have at most this many characters (code points, after normalising). */
export const COMMENT_MAX_CHARS = 200;

export const MASK_KINDS = ['email', 'im_account', 'id_number', 'bank_card', 'mobile', 'landline', 'plate'] as const;
export type MaskKind = (typeof MASK_KINDS)[number];

export type CommentRefusal = 'too_long' | 'abusive' | 'contains_link';

export type CommentScreen =
  | { ok: true; /** Normalised, trimmed, personal data masked; '' for no comment. */ text: string; /** Kinds masked, in MASK_KINDS order. */ masked: MaskKind[] }
  | { ok: false; reason: CommentRefusal; message: Bilingual };

export const COMMENT_MESSAGES = {
  too_long: (n: number): Bilingual => ({
    zh: `评价最多${COMMENT_MAX_CHARS}字，您写了${n}字，请删减后再提交。`,
    en: `A comment can have at most ${COMMENT_MAX_CHARS} characters; yours has ${n}. Please shorten it.`,
  }),
  abusive: {
    zh: '评价含有辱骂或不文明用语，请修改后再提交。欢迎批评，但请勿骂人。',
    en: 'Your comment contains insults or obscene language. Please edit it and submit again: criticism is welcome, abuse is not.',
  },
  contains_link: {
    zh: '评价中不能包含网址，请删除后再提交。',
    en: 'A comment cannot contain a web address. Please remove it and submit again.',
  },
} as const;

// ---------------------------------------------------------------- normalising

/** Full-width punctuation Chinese is written with: NFKC would turn it into ASCII, so it is kept. */
const CJK_PUNCTUATION = /([，！？：；（）])/;

/**
 * NFKC (full-width letters and digits become ASCII, the ideographic space a space) except for
 * Chinese full-width punctuation; line breaks and tabs to spaces; every other control, format
 * (zero-width, bidi, tag), surrogate and private-use character removed; spaces collapsed; trimmed.
 */
export function normaliseComment(text: string): string {
  return text
    .split(CJK_PUNCTUATION)
    .map((part, i) => (i % 2 ? part : part.normalize('NFKC')))
    .join('')
    .replace(/[\r\n\t\v\f\u0085\u2028\u2029]/g, ' ')
    .replace(/[\p{Cc}\p{Cf}\p{Cs}\p{Co}]/gu, '')
    .replace(/\s+/gu, ' ')
    .trim();
}

// ---------------------------------------------------------------- abuse

// Traditional forms of the characters in the list below, so 操你媽 is caught like 操你妈.
const TRADITIONAL: Record<string, string> = { 媽: '妈', 賤: '贱', 雜: '杂', 腦: '脑', 殘: '残', 貨: '货', 養: '养', 幹: '干', 雞: '鸡', 癡: '痴' };

/**
 * Chinese insults and obscenities, matched in the comment with everything but Han characters and
 * Latin letters removed (so 傻 逼, 傻.逼 and 傻\u200b逼 match). Kept modest and specific: a
 * consumer's anger at a merchant (骗子, 黑心, 垃圾, 不要脸) is criticism, not abuse, and words that
 * are also goods or kin (王八 the turtle, 羊杂碎, 我妈的, 大妈的) must pass.
 */
const ZH_ABUSE: readonly RegExp[] = [
  /傻[逼比屄笔bx叉吊]|煞笔|沙比|傻缺/,
  /[操艹肏]你|[草日干]你[妈娘爹大祖全]/,
  /草泥马|你妈[逼比b的死]|妈[逼比]|(?<![我咱俺妈姨舅姑老大爸爷奶姥她])妈的/,
  /王八蛋|王八羔子|狗日的|狗娘养|狗杂种|狗东西|(?<![鸡猪羊牛马])杂种(?![鸡猪羊牛马狗])/,
  /贱人|贱货|婊子|(?<![家牲])畜[生牲]|人渣|死全家|全家死|去死吧|你去死/,
  /脑残|智障|弱智|白痴|鸡巴|滚你妈/,
];

// Latin look-alikes (Cyrillic, Greek) and leetspeak, only for matching.
const CONFUSABLE: Record<string, string> = {
  а: 'a', е: 'e', о: 'o', р: 'p', с: 'c', у: 'y', х: 'x', і: 'i', к: 'k', м: 'm', т: 't', н: 'h', в: 'b', ѕ: 's',
  α: 'a', ο: 'o', ν: 'v', ι: 'i', κ: 'k', τ: 't',
};
const LEET: Record<string, string> = { '0': 'o', '1': 'i', '3': 'e', '4': 'a', '5': 's', '7': 't', '@': 'a', $: 's', '!': 'i' };

/** Found anywhere in a token: no innocent English word contains them. */
const EN_CONTAINED = ['fuck', 'fuk', 'fvck', 'phuck', 'fck', 'shit', 'bitch', 'asshole', 'motherf', 'wanker', 'dickhead', 'bastard', 'whore', 'slut', 'caonima', 'shabi'];
/** Only as a whole token (an "s" plural allowed): they hide inside innocent words. */
const EN_WHOLE = ['ass', 'dick', 'cunt', 'twat', 'retard', 'retarded', 'stfu', 'sb', 'cnm', 'nmsl', 'nmb', 'tmd', 'mlgb', 'wcnm', 'rnm', 'nmlgb'];
/** Forms a masked token ("f*ck", "sh!t", "a**hole") is compared with. */
const EN_MASKABLE = [...new Set(['fuck', 'fucking', 'fucker', 'shit', 'bitch', 'asshole', 'bastard', 'whore', 'slut', 'cunt', 'dick', 'dickhead', 'wanker', 'motherfucker'])];

function englishTokens(lower: string): string[] {
  const mapped = [...lower].map((c) => CONFUSABLE[c] ?? c).join('');
  const raw = mapped.split(/[^a-z0-9@$!*#]+/).map((t) => t.replace(/^!+|!+$/g, '')).filter(Boolean);
  const tokens = [...raw];
  // "f u c k", "f.u.c.k", "fu ck": runs of one- and two-character tokens are also read joined.
  for (let i = 0; i < raw.length; ) {
    let j = i;
    while (j < raw.length && raw[j]!.length <= 2) j++;
    if (j - i >= 2) tokens.push(raw.slice(i, j).join(''));
    i = Math.max(j, i + 1);
  }
  // Leetspeak only where the token is mostly a word: "5h1t" but not a price like "15".
  return tokens.map((t) => ((t.match(/[a-z]/g)?.length ?? 0) >= 2 ? [...t].map((c) => LEET[c] ?? c).join('') : t));
}

function isMaskedForm(token: string): boolean {
  if (!/[*#]/.test(token) || !/^[a-z][a-z*#]*$/.test(token)) return false;
  const letters = token.replace(/[*#]/g, '').length;
  if (letters * 2 < token.length) return false;
  const pattern = new RegExp(`^${token.replace(/[*#]/g, '[a-z]')}s?$`);
  return EN_MASKABLE.some((w) => pattern.test(w) || pattern.test(`${w}s`));
}

/** True when the comment contains an insult or obscenity, in Chinese or English, however spaced or disguised. */
export function isAbusive(text: string): boolean {
  const lower = normaliseComment(text).normalize('NFKC').toLowerCase();
  const han = [...lower].map((c) => TRADITIONAL[c] ?? c).join('').replace(/[^\p{Script=Han}a-z]/gu, '');
  if (ZH_ABUSE.some((re) => re.test(han))) return true;
  for (const token of englishTokens(lower)) {
    const bare = token.replace(/[*#]/g, '');
    if (EN_CONTAINED.some((w) => bare.includes(w))) return true;
    if (EN_WHOLE.some((w) => token === w || token === `${w}s`)) return true;
    if (isMaskedForm(token)) return true;
  }
  return false;
}

// ---------------------------------------------------------------- links

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
const LINK = /(?:https?:\/\/|www\.)\S|(?<![A-Za-z0-9@.-])[A-Za-z0-9][A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)*\.(?:com|cn|net|org|top|xyz|cc|vip|shop|info|io|me|tv|link|site|club)(?![A-Za-z0-9])/i;

/** True when the comment carries a web address (an email address is not one: it is masked instead). */
export function hasLink(text: string): boolean {
  return LINK.test(text.normalize('NFKC').replace(EMAIL, ' '));
}

// ---------------------------------------------------------------- personal data

const ID_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const ID_CHECK = '10X98765432';

/** GB 11643: an 18-character resident identity number with a valid check character and birth date. */
export function isResidentIdNumber(id: string): boolean {
  const s = id.toUpperCase();
  if (!/^\d{17}[\dX]$/.test(s)) return false;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(s[i]) * ID_WEIGHTS[i]!;
  if (ID_CHECK[sum % 11] !== s[17]) return false;
  return isDate(Number(s.slice(6, 10)), Number(s.slice(10, 12)), Number(s.slice(12, 14)));
}

function isDate(y: number, m: number, d: number): boolean {
  if (y < 1900 || y > 2100 || m < 1 || m > 12 || d < 1) return false;
  return d <= new Date(Date.UTC(y, m, 0)).getUTCDate();
}

const stars = (n: number) => '*'.repeat(Math.max(0, n));
const keep = (s: string, head: number, tail: number) => s.slice(0, head) + stars(s.length - head - tail) + s.slice(s.length - tail);

const MOBILE = /^(?:0086|86)?(1[3-9]\d{9})$/;

/** What a run of 13 to 19 digits (an X allowed last) is, and how it is shown. */
function classifyDigitRun(run: string): [MaskKind, string] {
  const digits = run.replace(/[^\dXx]/g, '').toUpperCase();
  const mobile = MOBILE.exec(digits);
  if (mobile) return ['mobile', keep(mobile[1]!, 3, 4)];
  if (digits.endsWith('X') || isResidentIdNumber(digits)) return ['id_number', keep(digits, 1, 1)];
  if (digits.length === 15 && isDate(1900 + Number(digits.slice(6, 8)), Number(digits.slice(8, 10)), Number(digits.slice(10, 12)))) {
    return ['id_number', keep(digits, 1, 1)];
  }
  return ['bank_card', keep(digits, 0, 4)];
}

const PROVINCES = '京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼';

/**
 * The masks, in order: emails first (so their digits are not read as phone numbers), then
 * labelled QQ and WeChat accounts, long digit runs (ID numbers, bank cards, +86 mobiles), mobile
 * numbers, landlines with an area code, licence plates. Digits may be grouped by spaces or dashes.
 */
const MASKS: readonly { re: RegExp; mask: (m: string, ...groups: string[]) => [MaskKind, string] }[] = [
  {
    re: EMAIL,
    mask: (m) => {
      const at = m.indexOf('@');
      return ['email', `${m[0]}***${m.slice(at)}`];
    },
  },
  {
    re: /(?<![A-Za-z])(QQ|扣扣|企鹅|微信|vx|wx|weixin|wechat)(号?\s*[:：]?\s*)([A-Za-z](?=[-_A-Za-z0-9]*[\d_-])[-_A-Za-z0-9]{5,19}|\d{5,12})(?![-_A-Za-z0-9])/gi,
    mask: (_m, label, sep) => ['im_account', `${label}${sep}****`],
  },
  { re: /(?<!\d)\+?\d(?:[ -]?\d){12,18}(?:[ -]?[Xx])?(?![\dXx])/g, mask: (m) => classifyDigitRun(m) },
  { re: /(?<!\d)(?:(?:\+|00)86[ -]?)?1[3-9]\d(?:[ -]?\d){8}(?!\d)/g, mask: (m) => ['mobile', keep(m.replace(/\D/g, '').replace(/^(?:0086|86)(?=1\d{10}$)/, ''), 3, 4)] },
  {
    re: /(?<!\d)(?:[(（](0\d{2,3})[)）]|(0\d{2,3}))[ -]?([2-9]\d{2,3})[ -]?(\d{4})(?!\d)/g,
    mask: (_m, a1, a2, _mid, last) => ['landline', `${a1 ?? a2}-****${last}`],
  },
  {
    re: new RegExp(`(?<![A-Za-z0-9])([${PROVINCES}][A-HJ-NP-Z])[·•・. ]?([A-HJ-NP-Z0-9]{4,5}[A-HJ-NP-Z0-9挂学警港澳])(?![A-Za-z0-9])`, 'gi'),
    mask: (m, head, tail) => ((tail ?? '').replace(/\D/g, '').length >= 2 ? ['plate', `${head}${stars((tail ?? '').length - 1)}${(tail ?? '').slice(-1)}`] : ['plate', m]),
  },
];

/** Masks personal data in normalised text: returns the text and the kinds it masked. */
export function maskPersonalData(text: string): { text: string; masked: MaskKind[] } {
  const found = new Set<MaskKind>();
  let out = text;
  for (const { re, mask } of MASKS) {
    out = out.replace(re, (m: string, ...rest: unknown[]) => {
      const groups = rest.slice(0, -2).map((g) => (typeof g === 'string' ? g : undefined)) as string[];
      const [kind, shown] = mask(m, ...groups);
      if (shown !== m) found.add(kind);
      return shown;
    });
  }
  return { text: out, masked: MASK_KINDS.filter((k) => found.has(k)) };
}

// ---------------------------------------------------------------- the screen

/**
 * Screens a rating's comment. Never throws: anything that is not a string is no comment. Order:
 * normalise, length, abuse, links, then mask personal data in what is kept.
 */
export function screenComment(text: unknown): CommentScreen {
  if (typeof text !== 'string') return { ok: true, text: '', masked: [] };
  // Far too long to be worth normalising: refuse before doing any work on it.
  if (text.length > COMMENT_MAX_CHARS * 20) return { ok: false, reason: 'too_long', message: COMMENT_MESSAGES.too_long([...text].length) };
  const clean = normaliseComment(text);
  const length = [...clean].length;
  if (length > COMMENT_MAX_CHARS) return { ok: false, reason: 'too_long', message: COMMENT_MESSAGES.too_long(length) };
  if (isAbusive(clean)) return { ok: false, reason: 'abusive', message: COMMENT_MESSAGES.abusive };
  if (hasLink(clean)) return { ok: false, reason: 'contains_link', message: COMMENT_MESSAGES.contains_link };
  const { text: masked, masked: kinds } = maskPersonalData(clean);
  return { ok: true, text: masked, masked: kinds };
}
