#include "rtpipe/source/transliterate.h"

#include <cstdint>

namespace rtpipe::gen {
namespace {

// U+00C0..U+00FF (Latin-1 Supplement letters), lower-case ASCII; "" drops the character.
constexpr const char* kLatin1[64] = {
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",   // C0-CF
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "ss",  // D0-DF
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i",  "i",   // E0-EF
    "d", "n", "o", "o", "o", "o", "o",  "",  "o", "u", "u", "u", "u", "y", "th", "y",   // F0-FF
};

// U+0100..U+017F (Latin Extended-A): the base letter of each code point.
constexpr std::string_view kLatinExtA =
    "aaaaaacccccccc"                                 // 0100-010D
    "dddd"                                           // 010E-0111
    "eeeeeeeeee"                                     // 0112-011B
    "gggggggg"                                       // 011C-0123
    "hhhh"                                           // 0124-0127
    "iiiiiiiiii"                                     // 0128-0131
    "!!"                                             // 0132-0133 (ij, handled below)
    "jjkkk"                                          // 0134-0138
    "llllllllll"                                     // 0139-0142
    "nnnnnnnnn"                                      // 0143-014B
    "oooooo"                                         // 014C-0151
    "##"                                             // 0152-0153 (oe, handled below)
    "rrrrrrssssssssttttttuuuuuuuuuuuuwwyyyzzzzzzs";  // 0154-017F

// Persian and Arabic letters (U+0621..U+06CC) as the transliteration library the API uses
// renders them, approximately.
const char* Arabic(uint32_t cp) {
  switch (cp) {
    case 0x0621:
      return "'";
    case 0x0622:
    case 0x0623:
    case 0x0625:
    case 0x0627:
      return "a";
    case 0x0624:
    case 0x0648:
      return "v";
    case 0x0626:
    case 0x0649:
    case 0x064A:
    case 0x06CC:
      return "y";
    case 0x0628:
      return "b";
    case 0x0629:
    case 0x0647:
    case 0x062D:
      return "h";
    case 0x062A:
    case 0x0637:
      return "t";
    case 0x062B:
    case 0x0633:
    case 0x0635:
      return "s";
    case 0x062C:
      return "j";
    case 0x062E:
      return "kh";
    case 0x062F:
      return "d";
    case 0x0630:
    case 0x0632:
    case 0x0636:
    case 0x0638:
      return "z";
    case 0x0631:
      return "r";
    case 0x0634:
      return "sh";
    case 0x0639:
      return "'";
    case 0x063A:
      return "gh";
    case 0x0641:
      return "f";
    case 0x0642:
      return "q";
    case 0x0643:
    case 0x06A9:
      return "k";
    case 0x0644:
      return "l";
    case 0x0645:
      return "m";
    case 0x0646:
      return "n";
    case 0x067E:
      return "p";
    case 0x0686:
      return "ch";
    case 0x0698:
      return "zh";
    case 0x06AF:
      return "g";
    default:
      return "";
  }
}

// Decodes one UTF-8 sequence at text[i]; returns its length (1 for an invalid byte).
size_t Decode(std::string_view text, size_t i, uint32_t& cp) {
  auto b = [&](size_t k) { return static_cast<uint8_t>(text[k]); };
  uint8_t c = b(i);
  if (c < 0x80) {
    cp = c;
    return 1;
  }
  size_t len = (c & 0xE0) == 0xC0 ? 2 : (c & 0xF0) == 0xE0 ? 3 : (c & 0xF8) == 0xF0 ? 4 : 1;
  if (len == 1 || i + len > text.size()) {
    cp = 0xFFFD;
    return 1;
  }
  cp = c & (0x7F >> len);
  for (size_t k = 1; k < len; ++k) cp = (cp << 6) | (b(i + k) & 0x3F);
  return len;
}

}  // namespace

std::string TransliterateLower(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size();) {
    uint32_t cp = 0;
    i += Decode(text, i, cp);
    if (cp < 0x80) {
      char c = static_cast<char>(cp);
      out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c);
    } else if (cp >= 0xC0 && cp <= 0xFF) {
      out += kLatin1[cp - 0xC0];
    } else if (cp >= 0x100 && cp <= 0x17F) {
      char base = kLatinExtA[cp - 0x100];
      if (base == '!') {
        out += "ij";
      } else if (base == '#') {
        out += "oe";
      } else {
        out.push_back(base);
      }
    } else if (cp == 0x0218 || cp == 0x0219) {
      out.push_back('s');  // Ș ș
    } else if (cp == 0x021A || cp == 0x021B) {
      out.push_back('t');  // Ț ț
    } else if (cp >= 0x06F0 && cp <= 0x06F9) {
      out.push_back(static_cast<char>('0' + (cp - 0x06F0)));  // Persian digits
    } else if (cp >= 0x0621 && cp <= 0x06CC) {
      out += Arabic(cp);
    }
  }
  return out;
}

}  // namespace rtpipe::gen
