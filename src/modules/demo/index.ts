import type { AppContext } from '../../context.js';

export interface DemoResult {
  created: boolean;
  counts: Record<string, number>;
  password: string;
  signIns: { username: string; label: string }[];
}

/** Placeholder until the demo city lands: loads nothing. */
export async function loadDemo(_ctx: AppContext): Promise<DemoResult> {
  return { created: false, counts: {}, password: '', signIns: [] };
}
