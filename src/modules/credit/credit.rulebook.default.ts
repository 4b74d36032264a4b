/**
 * The platform's default rulebook (信用评价标准及评分细则), as data. Modelled on Sanya's reference
 * standard for stalls selling fresh seafood and fruit and processing seafood
 * (《鲜活海鲜品、水果集中销售及加工店（摊）信用评价标准及评分细则（参考样式）》): video monitoring of
 * the weighing area, front desk and packing area kept 30 days; clear price marking with one label
 * and one price per item and look-alike goods sold apart; weighing only on a type-approved,
 * verified IoT traceable scale with a printed receipt. A city publishes its own by copying this one.
 * Points, validity and caps are this platform's proposal, not Sanya's published figures.
 */
import type { CreditRulebook, RulebookItem } from './credit.rules.js';

const item = (code: string, category: string, points: number, validForDays: number, maxPerPeriod: number | null, zh: string, en: string, evidenceZh: string, evidenceEn: string): RulebookItem => ({
  code,
  category,
  title: { zh, en },
  points,
  evidenceRequired: { zh: evidenceZh, en: evidenceEn },
  validForDays,
  maxPerPeriod,
});

const INSPECTION_RECORD = ['现场检查笔录及照片或视频', 'Inspection record with photos or video'] as const;

export const DEFAULT_RULEBOOK: CreditRulebook = deepFreeze({
  version: 'default-2026.1',
  cityId: null,
  title: { zh: '鲜活海鲜品、水果集中销售及加工经营者信用评价标准及评分细则（平台默认）', en: 'Credit rulebook for fresh seafood and fruit stalls and seafood processing (platform default)' },
  publishedAt: '2026-01-01',
  baseScore: 100,
  maxScore: 120,
  categories: [
    { code: 'video', title: { zh: '视频监控', en: 'Video monitoring' } },
    { code: 'price_marking', title: { zh: '明码标价', en: 'Price marking' } },
    { code: 'price_cap', title: { zh: '政府调控价格', en: 'Controlled prices' } },
    { code: 'metrology', title: { zh: '计量器具与称重', en: 'Scales and weighing' } },
    { code: 'pledge', title: { zh: '诚信经营承诺', en: 'Integrity pledge' } },
    { code: 'complaint', title: { zh: '消费投诉', en: 'Consumer complaints' } },
    { code: 'penalty', title: { zh: '行政处罚', en: 'Administrative penalties' } },
    { code: 'commendation', title: { zh: '表彰奖励', en: 'Commendations' } },
  ],
  items: [
    item('VID-01', 'video', -10, 365, 20, '视频监控未安装或未覆盖称重区、前台、打包区等重点点位', 'Video monitoring missing, or not covering the weighing area, front desk and packing area', ...INSPECTION_RECORD),
    item('VID-02', 'video', -5, 365, 10, '视频监控数据保存不足30日', 'Video kept for less than 30 days', '检查时调阅的最早录像日期记录', 'Record of the oldest footage retrieved at inspection'),
    item('VID-03', 'video', -2, 180, 10, '营业期间视频监控设备未正常运行（经核实）', 'Cameras not working during business hours (confirmed)', '平台设备在线记录及监管人员核实意见', 'Platform camera-health record and the inspector’s confirmation'),
    item('PRC-01', 'price_marking', -5, 365, 15, '未明码标价或价格标识牌不规范', 'Prices not clearly marked, or non-standard price tags', ...INSPECTION_RECORD),
    item('PRC-02', 'price_marking', -5, 365, 15, '未做到一物一图案、一标签、一标价，或品名、图案与实物不一致', 'Not one picture, one label and one price per item, or name and picture not matching the goods', ...INSPECTION_RECORD),
    item('PRC-03', 'price_marking', -5, 365, 10, '易混淆商品未分开销售', 'Look-alike goods not sold apart', ...INSPECTION_RECORD),
    item('CAP-01', 'price_cap', -5, 365, 20, '超过政府调控价格销售（经监管人员核实）', 'Sold above the controlled price (confirmed by an inspector)', '物联网溯源电子秤交易记录或交易小票，及监管人员核查记录', 'The IoT scale’s sale record or the receipt, and the inspector’s check'),
    item('MET-01', 'metrology', -10, 365, 20, '未使用物联网溯源电子秤称重结算，或使用其他秤具称重', 'Weighing or settling on anything but the IoT traceable scale', ...INSPECTION_RECORD),
    item('MET-02', 'metrology', -10, 365, 20, '使用无型式批准证书、未经强制检定或超过检定有效期的电子秤（现场检查发现）', 'Scale without type approval or valid mandatory verification (found at inspection)', '现场检查笔录及检定证书查验记录', 'Inspection record and the verification certificate check'),
    item('MET-03', 'metrology', -5, 365, 10, '系统发现检定过期仍在交易（经核实）', 'Selling on a scale whose verification expired, found by the system (confirmed)', '平台告警记录及监管人员核实意见', 'Platform alert and the inspector’s confirmation'),
    item('MET-04', 'metrology', -3, 365, 9, '未按规定打印交易小票', 'No printed receipt', ...INSPECTION_RECORD),
    item('MET-05', 'metrology', -10, 730, 30, '缺斤短两（经核实）', 'Short weight (confirmed)', '复秤记录及监管人员核查记录', 'Re-weighing record and the inspector’s check'),
    item('PLG-01', 'pledge', 2, 365, 2, '签署诚信经营承诺（每年一签）', 'Signed the integrity pledge (renewed yearly)', '经营者签署的承诺书', 'The pledge signed by the merchant'),
    item('CMP-01', 'complaint', -3, 365, 15, '消费投诉经查属实', 'Consumer complaint found justified', '投诉处理结论', 'The complaint decision'),
    item('PEN-01', 'penalty', -5, 365, 10, '受到警告或通报批评的行政处罚', 'Penalised with a warning or public criticism', '行政处罚决定书', 'The penalty decision'),
    item('PEN-02', 'penalty', -10, 730, 30, '受到罚款、没收违法所得或没收非法财物的行政处罚', 'Penalised with a fine or confiscation', '行政处罚决定书', 'The penalty decision'),
    item('PEN-03', 'penalty', -30, 1095, null, '受到暂扣或吊销许可证件、限制生产经营、责令停产停业等行政处罚', 'Licence suspended or revoked, or business restricted or suspended', '行政处罚决定书', 'The penalty decision'),
    item('HON-01', 'commendation', 2, 365, 4, '被市场评为诚信经营户', 'Named an honest merchant by the market', '市场管理方评选文件', 'The market manager’s award'),
    item('HON-02', 'commendation', 5, 730, 10, '获得区级或市级表彰', 'Commended at district or city level', '表彰文件', 'The commendation'),
    item('HON-03', 'commendation', 10, 1095, 10, '获得省级及以上表彰', 'Commended at provincial level or above', '表彰文件', 'The commendation'),
  ],
  starThresholds: [
    { minScore: 95, stars: 5 },
    { minScore: 85, stars: 4 },
    { minScore: 75, stars: 3 },
    { minScore: 60, stars: 2 },
    { minScore: 0, stars: 1 },
  ],
  pledgeText: {
    zh: '本经营者郑重承诺：遵守法律法规，诚信经营；明码标价，做到一物一图案、一标签、一标价，易混淆商品分开销售；执行政府调控价格；使用有型式批准证书且在强制检定合格期限内的物联网溯源电子秤称重、结算并打印交易小票，不缺斤短两；视频监控覆盖称重区、前台、打包区等重点点位，录像保存不少于30日；积极处理消费投诉；自觉接受市场监管部门和社会监督。如有违反，愿承担相应法律责任并接受信用扣分。',
    en: 'I pledge to obey the law and trade honestly; to mark every price clearly, one picture, one label and one price per item, and to sell look-alike goods apart; to keep to the controlled prices; to weigh and settle only on a type-approved IoT traceable scale within its mandatory verification and print a receipt, never giving short weight; to keep video monitoring over the weighing area, front desk and packing area with footage kept at least 30 days; to deal with complaints in good faith; and to accept oversight by the regulator and the public. If I break this pledge I accept the legal consequences and the credit deductions.',
  },
  disclosure: {
    warning: { months: null, earliestWithdrawalMonths: null },
    public_criticism: { months: 3, earliestWithdrawalMonths: null },
    minor_fine: { months: 3, earliestWithdrawalMonths: null },
    fine: { months: 36, earliestWithdrawalMonths: 12 },
    confiscation: { months: 36, earliestWithdrawalMonths: 12 },
    licence_suspension: { months: 36, earliestWithdrawalMonths: 12 },
    qualification_downgrade: { months: 36, earliestWithdrawalMonths: 12 },
    licence_revocation: { months: 36, earliestWithdrawalMonths: null },
    business_restriction: { months: 36, earliestWithdrawalMonths: null },
  },
  objectionWindowDays: 15,
  repairMinimumDays: {
    default: 90,
    byCategory: { video: 30, price_marking: 30, price_cap: 90, metrology: 30, complaint: 90, penalty: 90 },
    byItem: { 'MET-05': 180, 'PEN-02': 365, 'PEN-03': null },
  },
});

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}
