import { describe, expect, it } from 'vitest';
import { COMMENT_MAX_CHARS, hasLink, isAbusive, isResidentIdNumber, maskPersonalData, normaliseComment, screenComment } from './comment.rules.js';

const kept = (text: string) => {
  const s = screenComment(text);
  if (!s.ok) throw new Error(`refused (${s.reason}): ${text}`);
  return s;
};

describe('normalising a comment', () => {
  it('trims, collapses spaces and line breaks, and turns full-width forms into ASCII', () => {
    expect(normaliseComment('  秤不准\r\n\t缺了　二两  ')).toBe('秤不准 缺了 二两');
    expect(normaliseComment('ＡＢＣ１２３')).toBe('ABC123');
  });

  it('strips control, zero-width, bidi and tag characters', () => {
    expect(normaliseComment('a\u0000b\u0007c\u200bd\u200de\u202ef\ufeffg\u{E0041}h')).toBe('abcdefgh');
  });

  it('no comment, or not a string, is an empty comment', () => {
    expect(screenComment('')).toEqual({ ok: true, text: '', masked: [] });
    expect(screenComment('   \n ')).toEqual({ ok: true, text: '', masked: [] });
    expect(screenComment(undefined)).toEqual({ ok: true, text: '', masked: [] });
    expect(screenComment(42)).toEqual({ ok: true, text: '', masked: [] });
  });

  it('keeps the full-width punctuation Chinese is written with', () => {
    expect(normaliseComment('准吗？准！（真的）：是；好，')).toBe('准吗？准！（真的）：是；好，');
  });

  it('keeps an ordinary comment as it is', () => {
    expect(kept('秤很准，老板人好，鱼也新鲜！👍')).toEqual({ ok: true, text: '秤很准，老板人好，鱼也新鲜！👍', masked: [] });
  });
});

describe('length', () => {
  it(`allows ${COMMENT_MAX_CHARS} characters and refuses one more, counting characters not UTF-16 units`, () => {
    expect(screenComment('准'.repeat(COMMENT_MAX_CHARS)).ok).toBe(true);
    expect(screenComment('🐟'.repeat(COMMENT_MAX_CHARS)).ok).toBe(true);
    const long = screenComment('准'.repeat(COMMENT_MAX_CHARS + 1));
    expect(long).toMatchObject({ ok: false, reason: 'too_long' });
    if (!long.ok) {
      expect(long.message.zh).toContain('201');
      expect(long.message.en).toContain('at most 200');
    }
  });

  it('measures after normalising: spaces trimmed and stripped characters do not count', () => {
    expect(screenComment(`   ${'准'.repeat(COMMENT_MAX_CHARS)}\u200b\u200b   `).ok).toBe(true);
  });

  it('refuses a huge input without working on it', () => {
    expect(screenComment('x'.repeat(1_000_000))).toMatchObject({ ok: false, reason: 'too_long' });
  });
});

describe('abuse', () => {
  const abusive = [
    '傻逼老板',
    '老板是个傻 逼',
    '傻.逼',
    '傻\u200b逼',
    '煞笔商家',
    '傻B',
    '操你妈',
    '操 你',
    '艹你大爷',
    '草泥马',
    '他妈的秤',
    '妈的又缺斤少两',
    '你妈的',
    '操你媽',
    '王八蛋',
    '狗日的奸商',
    '贱人',
    '去死吧',
    '脑残',
    'fuck',
    'FUCK you',
    'ｆｕｃｋ',
    'f u c k',
    'f.u.c.k',
    'f*ck',
    'f**k this scale',
    'fucking cheat',
    'motherfucker',
    'sh!t',
    '5h1t scale',
    'bullshit',
    'b*tch',
    'son of a bitch',
    'asshole',
    'a**hole',
    'ass',
    'sh\u0456t', // Cyrillic і
    'fuсk', // Cyrillic с
    'sh！t',
    'sb老板',
    'nmsl',
    'cnm',
  ];
  for (const text of abusive) {
    it(`refuses ${JSON.stringify(text)}`, () => {
      const s = screenComment(text);
      expect(s).toMatchObject({ ok: false, reason: 'abusive' });
      if (!s.ok) {
        expect(s.message.zh).toContain('辱骂');
        expect(s.message.en).toContain('abuse');
      }
    });
  }

  const fine = [
    '我妈的菜是在这买的，秤很准',
    '大妈的秤不准',
    '姨妈的推荐',
    '羊杂碎很新鲜',
    '家畜生产基地直供',
    '牲畜生长好',
    '王八（甲鱼）很新鲜',
    '黑心商家，骗子，缺斤少两，垃圾秤！',
    '不要脸，少了二两',
    '关你什么事',
    'class assessment passed',
    'Scunthorpe',
    'The cocktail shrimp were fine',
    'push it',
    'this hit the spot',
    'a bit chewy',
    'weighed 5kg, paid 130',
    'dickens',
    'I shall return',
    'Great scale, 5 stars',
  ];
  for (const text of fine) {
    it(`keeps ${JSON.stringify(text)}`, () => expect(isAbusive(text)).toBe(false));
  }
});

describe('links', () => {
  it('refuses web addresses, bare domains included', () => {
    for (const t of ['加我看 http://spam.example', 'www.cheap-fish.cn 更便宜', '去 cheapfish.com 买', 'see bit.ly.xyz now', 'HTTPS://x.y']) {
      expect(screenComment(t), t).toMatchObject({ ok: false, reason: 'contains_link' });
      expect(hasLink(t), t).toBe(true);
    }
  });

  it('an email address is not a link, and numbers with dots are not domains', () => {
    expect(hasLink('联系 zhang.san@qq.com')).toBe(false);
    expect(hasLink('3.5kg 只有 3.2kg')).toBe(false);
    expect(hasLink('No.5 摊位')).toBe(false);
  });
});

describe('personal data', () => {
  it('masks mobile numbers, however written', () => {
    for (const t of ['13812345678', '138 1234 5678', '138-1234-5678', '+86 138 1234 5678', '+8613812345678', '0086-13812345678', '１３８１２３４５６７８']) {
      const s = kept(`老板电话${t}，秤不准`);
      expect(s.text, t).toBe('老板电话138****5678，秤不准');
      expect(s.masked).toEqual(['mobile']);
    }
  });

  it('leaves numbers that are not phone numbers', () => {
    const s = kept('买了2斤，每斤38元，称出来1.8斤，摊位A-12，12315投诉，2026-06-30 15:30');
    expect(s.masked).toEqual([]);
    expect(s.text).toBe('买了2斤，每斤38元，称出来1.8斤，摊位A-12，12315投诉，2026-06-30 15:30');
    expect(kept('12812345678').masked).toEqual([]); // 12x is no mobile prefix, and too short for a card
  });

  it('masks landlines with an area code', () => {
    expect(kept('打0898-88881234').text).toBe('打0898-****1234');
    expect(kept('打(010)65521234').text).toBe('打010-****1234');
    expect(kept('打（0898）88881234').text).toBe('打0898-****1234');
    expect(kept('打 020 3888 1234').masked).toEqual(['landline']);
  });

  it('masks resident ID numbers with a valid check character, and any 18-digit run as a card', () => {
    expect(isResidentIdNumber('11010519491231002X')).toBe(true);
    expect(isResidentIdNumber('440304199001011233')).toBe(true);
    expect(isResidentIdNumber('440304199001011234')).toBe(false);
    expect(isResidentIdNumber('440304199013011233')).toBe(false); // no 13th month
    const id = kept('身份证11010519491231002x');
    expect(id).toEqual({ ok: true, text: '身份证1****************X', masked: ['id_number'] });
    expect(kept('身份证 440304 19900101 1233').masked).toEqual(['id_number']);
    expect(kept('号码440304199001011234').masked).toEqual(['bank_card']);
  });

  it('masks bank-card-like runs of 13 to 19 digits, grouped or not', () => {
    expect(kept('卡号6222021234567890128').text).toBe('卡号***************0128');
    expect(kept('卡号 6222 0212 3456 7890 128').text).toBe('卡号 ***************0128');
  });

  it('masks email addresses', () => {
    expect(kept('发邮件到 zhang.san@qq.com 或 13812345678@163.com')).toEqual({ ok: true, text: '发邮件到 z***@qq.com 或 1***@163.com', masked: ['email'] });
  });

  it('masks labelled QQ and WeChat accounts', () => {
    expect(kept('加微信 wxid_abc123 退款').text).toBe('加微信 **** 退款');
    expect(kept('QQ号：12345678').text).toBe('QQ号：****');
    expect(kept('wechat: zhang-san88').masked).toEqual(['im_account']);
    expect(kept('用微信支付的').masked).toEqual([]);
    expect(kept('paid by wechat payment').masked).toEqual([]);
  });

  it('masks licence plates', () => {
    expect(kept('车牌琼B12345的老板').text).toBe('车牌琼B****5的老板');
    expect(kept('粤B·D12345').masked).toEqual(['plate']);
    expect(kept('新ABCDE').masked).toEqual([]);
  });

  it('reports every kind masked, once, in a fixed order', () => {
    const s = kept('电话13812345678，13912345678，邮箱a@b.cn，车琼A88888');
    expect(s.masked).toEqual(['email', 'mobile', 'plate']);
    expect(s.text).toBe('电话138****5678，139****5678，邮箱a***@b.cn，车琼A****8');
  });

  it('masking is idempotent', () => {
    const once = maskPersonalData('电话13812345678 卡6222021234567890128 身份证11010519491231002X');
    expect(maskPersonalData(once.text)).toEqual({ text: once.text, masked: [] });
  });
});
