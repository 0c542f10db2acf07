import json, random, sys

seed = int(sys.argv[1]) if len(sys.argv) > 1 else 1
count = int(sys.argv[2]) if len(sys.argv) > 2 else 4000
rng = random.Random(seed)

def rchars(lo, hi, n):
    return ''.join(chr(rng.randint(lo, hi)) for _ in range(n))

WORDS = ("the of and to in is you that it he was for on are as with his they at be this have from or one had by "
         "word but not what all were we when your can said there use an each which she do how their if will up other "
         "about out many then them these so some her would make like him into time has look two more write go see "
         "number no way could people my than first water been call who oil its now find long down day did get come "
         "made may part Hello World Qwen Tokenizer Alibaba Cloud transformer attention GPU CPU JSON HTTP API URL "
         "naïve café résumé façade coöperate Zürich São Paulo Ångström").split()
CONTRACTIONS = ["'s", "'t", "'re", "'ve", "'m", "'ll", "'d", "'S", "'T", "'RE", "'Ve", "'M", "'LL", "'D", "'lL", "n't", "N'T", "’s", "’ll", "'", "''", "'x", "'st", "'ree", "'ll'"]
PUNCT = list(".,;:!?-—–…()[]{}<>\"'`~@#$%^&*_+=|\\/") + ["...", "?!", "--", "—", "«", "»", "“", "”", "‘", "’", "·", "•", "§", "¶", "©", "®", "™", "°", "±", "×", "÷", "€", "£", "¥", "₹", "¢"]
WS = [" ", "  ", "   ", "\t", "\n", "\n\n", "\r\n", "\r", " \n", "\n ", "\t\t", " \t ", "\u00a0", "\u3000", "\u2003", "\u0085", "\u2028", "\u2029", "\ufeff", "\u000b", "\u000c", "\u200b", "\u202f", "\u205f", "\u1680", "\u180e", " \r\n\r\n ", "\n\n\n\n"]
SPECIALS = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|object_ref_start|>", "<|box_end|>", "<|vision_pad|>", "<|image_pad|>", "<tool_call>", "</tool_call>", "<|fim_prefix|>", "<|fim_middle|>", "<|file_sep|>", "<tool_response>", "</tool_response>", "<think>", "</think>",
            "<|im_start", "im_end|>", "<|im_end|", "< think>", "<think >", "<THINK>", "<|endoftext|", "<<|im_end|>>", "<thin\u212a>", "<thin\u212a", "<|", "|>", "</", "<tool_call><tool_call>"]
EMOJI_BASE = list(range(0x1F300, 0x1F64F)) + list(range(0x1F680, 0x1F6FF)) + list(range(0x1F900, 0x1F9FF)) + list(range(0x2600, 0x27BF)) + list(range(0x1FA70, 0x1FAFF))

def emoji():
    k = rng.random()
    if k < 0.3:
        return chr(rng.choice(EMOJI_BASE))
    if k < 0.45:
        return chr(rng.choice([0x1F44D, 0x1F44B, 0x1F64F, 0x1F9D1, 0x1F468, 0x1F469, 0x270B])) + chr(rng.randint(0x1F3FB, 0x1F3FF))
    if k < 0.6:
        return "\u200d".join(chr(c) for c in rng.choice([[0x1F468, 0x1F469, 0x1F467, 0x1F466], [0x1F469, 0x2764, 0xFE0F, 0x1F48B, 0x1F468], [0x1F3F3, 0xFE0F, 0x200D, 0x1F308][:2], [0x1F9D1, 0x1F3FD, 0x200D, 0x1F4BB][:1] ]))
    if k < 0.7:
        return chr(0x1F1E6 + rng.randint(0, 25)) + chr(0x1F1E6 + rng.randint(0, 25))
    if k < 0.8:
        return rng.choice("0123456789#*") + "\ufe0f\u20e3"
    if k < 0.9:
        return chr(rng.choice(EMOJI_BASE)) + "\ufe0f"
    return "".join(chr(rng.choice(EMOJI_BASE)) for _ in range(rng.randint(2, 30)))

def english():
    out = []
    for _ in range(rng.randint(1, 25)):
        w = rng.choice(WORDS)
        r = rng.random()
        if r < 0.1: w = w.upper()
        elif r < 0.2: w = w.capitalize()
        if rng.random() < 0.15: w += rng.choice(CONTRACTIONS)
        out.append(w)
        if rng.random() < 0.2: out.append(rng.choice(PUNCT))
    sep = rng.choice([" ", " ", " ", "  ", "\t", "\n"])
    return sep.join(out) + rng.choice(["", ".", "!", "?", "\n", " ", "..."])

def chinese():
    s = []
    for _ in range(rng.randint(1, 40)):
        r = rng.random()
        if r < 0.8: s.append(chr(rng.randint(0x4E00, 0x9FA5)))
        elif r < 0.95: s.append(rng.choice("，。！？、；：“”（）《》【】—…·"))
        else: s.append(rng.choice(["Qwen", "AI", "2024", " ", "GPT-4", "\n"]))
    return "".join(s)

def japanese():
    s = []
    for _ in range(rng.randint(1, 30)):
        r = rng.random()
        if r < 0.35: s.append(chr(rng.randint(0x3041, 0x3096)))
        elif r < 0.65: s.append(chr(rng.randint(0x30A1, 0x30FA)))
        elif r < 0.85: s.append(chr(rng.randint(0x4E00, 0x9FA5)))
        elif r < 0.9: s.append(rng.choice(["ー", "。", "、", "「", "」", "・", "\u3099", "\u309a", "ｶﾞ", "ﾊﾟ", "ｱ"]))
        else: s.append(rng.choice(["か\u3099", "は\u309a", "カ\u3099", "ヽ", "ゝ", "〜", "！"]))
    return "".join(s)

def korean():
    s = []
    for _ in range(rng.randint(1, 20)):
        r = rng.random()
        if r < 0.7: s.append(chr(rng.randint(0xAC00, 0xD7A3)))
        elif r < 0.8: s.append(" ")
        elif r < 0.9: s.append(chr(rng.randint(0x1100, 0x1112)) + chr(rng.randint(0x1161, 0x1175)) + (chr(rng.randint(0x11A8, 0x11C2)) if rng.random() < 0.5 else ""))
        else: s.append(chr(rng.randint(0x3131, 0x318E)))
    return "".join(s)

def arabic():
    s = []
    for _ in range(rng.randint(1, 30)):
        r = rng.random()
        if r < 0.6: s.append(chr(rng.randint(0x0621, 0x064A)))
        elif r < 0.75: s.append(chr(rng.randint(0x064B, 0x0652)))
        elif r < 0.85: s.append(" ")
        elif r < 0.9: s.append(chr(rng.randint(0x0660, 0x0669)))
        else: s.append(rng.choice(["،", "؟", "ـ", "\u0653", "\u0654", "\u0655", "ا\u0653", "و\u0654", "ي\u0654", "\u200f", "\u200e", "ﷺ", "ﻻ"]))
    return "".join(s)

def other_scripts():
    ranges = [(0x0391, 0x03C9), (0x0410, 0x044F), (0x05D0, 0x05EA), (0x0E01, 0x0E3A), (0x0905, 0x0939), (0x0900, 0x0963), (0x0980, 0x09FE), (0x0B80, 0x0BFA), (0x10A0, 0x10FF), (0x0530, 0x058F), (0x1E00, 0x1EFF), (0x0100, 0x024F), (0x0250, 0x02FF), (0x2C00, 0x2C5F), (0x1200, 0x137F), (0xA000, 0xA48C), (0x1780, 0x17FF), (0x0F00, 0x0FFF)]
    lo, hi = rng.choice(ranges)
    s = []
    for _ in range(rng.randint(1, 25)):
        s.append(chr(rng.randint(lo, hi)) if rng.random() < 0.85 else rng.choice([" ", "\u0301", "\u0308", "\u093c", "\u0951", ".", "1"]))
    return "".join(s)

def nfc_cases():
    base = rng.choice("aeiouAEIOUnNcCsSzZyYwWkKgGrR") 
    marks = [chr(c) for c in (0x0300, 0x0301, 0x0302, 0x0303, 0x0304, 0x0306, 0x0307, 0x0308, 0x030A, 0x030B, 0x030C, 0x0316, 0x0317, 0x0323, 0x0327, 0x0328, 0x0331, 0x0340, 0x0341, 0x0343, 0x0344, 0x0345, 0x035C, 0x0361, 0x05B0, 0x0591, 0x064B, 0x0650, 0x0E48, 0x1DC0, 0x20D0, 0xFE20, 0x302A, 0x0334, 0x0F71, 0x0F72, 0x0F74, 0x0F80)]
    k = rng.random()
    if k < 0.5:
        return base + "".join(rng.choice(marks) for _ in range(rng.randint(1, 4))) + rng.choice(["", "x", " ", "b\u0301"])
    if k < 0.7:
        return rng.choice(["\u212a", "\u2126", "\u212b", "\u1fef", "\u037e", "\u0387", "\u0958", "\u0915\u093c", "\u09dc", "\u0f43", "\ufb1d", "\uf900", "\u2329", "\u1e9b\u0323", "\u00c5", "A\u030a", "\u0344", "\u0f73", "\u1100\u1161\u11a8", "\u1100\u1161", "\uac00\u11a8", "\u0928\u093c", "\u0061\u0328\u0301", "\u0061\u0301\u0328"])
    if k < 0.85:
        return "".join(rng.choice(marks) for _ in range(rng.randint(1, 6)))
    return rng.choice(["e\u0301", "é", "ñ", "n\u0303", "ö", "o\u0308", "ǖ", "u\u0308\u0304", "ệ", "e\u0323\u0302", "ệ"]) * rng.randint(1, 5)

def digits():
    k = rng.random()
    if k < 0.4: return "".join(rng.choice("0123456789") for _ in range(rng.randint(1, 40)))
    if k < 0.5: return rchars(0xFF10, 0xFF19, rng.randint(1, 10))
    if k < 0.6: return rng.choice(["²", "³", "¹", "½", "¼", "¾", "Ⅷ", "ⅻ", "①", "⑳", "〇", "一二三", "٣٤٥", "۱۲۳", "१२३", "๑๒", "𝟙𝟚", "🄁", "𐄇"]) * rng.randint(1, 3)
    if k < 0.8: return rng.choice(["abc", "x", "v", "ABC", "$", "", " ", "-", "+", "."]) + str(rng.randint(0, 10**rng.randint(1, 12))) + rng.choice(["", "px", "%", "th", "st", " ", ".5", ",000", "e10", "abc"])
    return f"{rng.randint(0, 9999)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d} {rng.randint(0, 23)}:{rng.randint(0, 59):02d}"

def whitespace():
    return "".join(rng.choice(WS) for _ in range(rng.randint(1, 8)))

CODE = [
    "def f(x):\n    return x * 2\n",
    "for (int i = 0; i < n; i++) {\n\tsum += a[i];\n}\n",
    "const x = () => { return `hello ${name}`; };",
    "if (a != b && c == d) { throw new Exception(\"bad\"); }",
    "public sealed class Foo : IBar\r\n{\r\n    private readonly int _x;\r\n}\r\n",
    "<div class=\"a\">\n  <p>Hi</p>\n</div>",
    "SELECT * FROM users WHERE id = 42 AND name LIKE '%bob%';",
    "#include <stdio.h>\nint main(void) { printf(\"%d\\n\", 1); return 0; }",
    "x = [i**2 for i in range(10) if i % 2 == 0]  # squares",
    "std::vector<std::string> v{\"a\", \"b\"};",
    "fn main() -> Result<(), Box<dyn Error>> { Ok(()) }",
    "    \n        \n\t\t\n",
    "/* comment */ // another\n/// <summary>Doc</summary>",
    "{\"key\": [1, 2.5, true, null], \"nested\": {\"a\": \"b\"}}",
    "a+=1;b-=2;c*=3;d/=4;e%=5;f<<=1;g>>=2;h&&=i||j",
    "$ git commit -m 'fix: it's done' && echo \"ok\" | grep -v err 2>&1",
    "@media (max-width: 600px) { .a { color: #fff; } }",
    "λx.λy.x → ∀x∈ℝ: x² ≥ 0 ∧ ¬(x < 0)",
]

def code():
    s = rng.choice(CODE)
    if rng.random() < 0.5:
        s = s.replace("    ", rng.choice(["  ", "\t", "        "]))
    return s

def special():
    parts = []
    for _ in range(rng.randint(1, 6)):
        parts.append(rng.choice(SPECIALS) if rng.random() < 0.5 else rng.choice([english, chinese, whitespace, code, emoji, nfc_cases])())
    return "".join(parts)

def longrun():
    k = rng.random()
    n = rng.randint(49, 400)
    if k < 0.15: return rng.choice("ab") * n
    if k < 0.25: return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(n))
    if k < 0.35: return " " * n + rng.choice(["", "x", "\n"])
    if k < 0.45: return "\n" * rng.randint(2, 100)
    if k < 0.55: return "".join(chr(rng.randint(0x4E00, 0x9FA5)) for _ in range(n // 3))
    if k < 0.65: return rng.choice(["!", "=", "-", "*", "#", ".", "~", "─", "═"]) * n
    if k < 0.72: return "".join(emoji() for _ in range(n // 8))
    if k < 0.8: return "".join(rng.choice("0123456789") for _ in range(n))
    if k < 0.9: return "".join(chr(rng.randint(0xAC00, 0xD7A3)) for _ in range(n // 3))
    return "".join(rng.choice("aeiou\u0301\u0300bcd") for _ in range(n))

def random_cp():
    s = []
    for _ in range(rng.randint(1, 20)):
        r = rng.random()
        if r < 0.5:
            c = rng.randint(0x20, 0xFFFD)
            if 0xD800 <= c <= 0xDFFF: c = 0x41
            s.append(chr(c))
        elif r < 0.7:
            s.append(chr(rng.randint(0x10000, 0x10FFFF) if rng.random() < 0.3 else rng.randint(0x10000, 0x3134A)))
        elif r < 0.85:
            s.append(chr(rng.randint(0, 0x1F)) if rng.random() < 0.7 else chr(rng.randint(0x7F, 0x9F)))
        else:
            s.append(rng.choice(["\uffff", "\ufffe", "\ue000", "\uf8ff", "\ufffd", "\U000f0000", "\U0010fffd", "\u0000", "\U0001fffe"]))
    return "".join(s)

GENS = [english] * 5 + [chinese] * 3 + [japanese] * 2 + [korean] * 2 + [arabic] * 2 + [other_scripts] * 2 + [emoji] * 2 + [nfc_cases] * 3 + [digits] * 2 + [whitespace] * 3 + [code] * 2 + [special] * 3 + [longrun] * 2 + [random_cp] * 2

def mixed():
    return "".join(rng.choice(GENS)() for _ in range(rng.randint(2, 6)))

# Recent and rare combining marks and composing pairs, where a normalizer on an older Unicode version goes wrong.
RECENT = ["\u1aeb", "\u0897", "\u1ace", "\u1dfa", "\U000105c9", "\U00011383", "\U000113c5", "\U00016121", "\U00016d68", "\U00016d63\U00016d67", "\U000113c2\U000113b8", "\U00011382\U000113c9", "\U000105d2\u0307", "\U00016121\U0001611e"]

def codepoints():
    s = []
    for _ in range(rng.randint(1, 8)):
        r = rng.random()
        if r < 0.4:
            c = rng.randint(0, 0xFFFF)
            if 0xD800 <= c <= 0xDFFF: c = 0x20
            s.append(chr(c))
        elif r < 0.6:
            s.append(chr(rng.randint(0x10000, 0x3FFFF)))
        elif r < 0.7:
            s.append(chr(rng.randint(0x10000, 0x10FFFF)))
        else:
            s.append(rng.choice(RECENT) + rng.choice(["", "\u0301", "\u0316", "\u0334", "a", " "]))
    return "".join(s)

mode = sys.argv[3] if len(sys.argv) > 3 else "mixed"
out = []
for i in range(count):
    g = codepoints if mode == "codepoints" else rng.choice(GENS + [mixed] * 8)
    out.append(g())
json.dump(out, sys.stdout, ensure_ascii=True)
