// Generator word lists shared by every nationality, and the index of the per-nationality data.

#include <array>

#include "rtpipe/base/assert.h"
#include "rtpipe/source/generator_data.h"

namespace rtpipe::gen {
namespace {

// Weak passwords of the kind people really choose.
constexpr std::string_view kPasswords[] = {
    "password", "123456",    "qwerty",    "letmein",   "monkey",   "dragon",    "sunshine",  "princess",  "football",
    "baseball", "welcome",   "shadow",    "master",    "superman", "batman",    "trustno1",  "iloveyou",  "starwars",
    "whatever", "freedom",   "michelle",  "charlie",   "jordan",   "hunter",    "buster",    "soccer",    "hockey",
    "killer",   "george",    "andrew",    "thomas",    "jessica",  "pepper",    "ginger",    "cookie",    "summer",
    "winter",   "autumn",    "spring",    "orange",    "banana",   "cheese",    "chocolate", "butterfly", "flower",
    "tigger",   "bailey",    "maggie",    "sparky",    "snoopy",   "yankees",   "dallas",    "austin",    "london",
    "paris",    "toronto",   "qwerty123", "abc123",    "111111",   "123123",    "654321",    "000000",    "121212",
    "696969",   "1q2w3e",    "zxcvbn",    "asdfgh",    "passw0rd", "p@ssword",  "admin",     "guest",     "secret",
    "silver",   "golden",    "diamond",   "phoenix",   "matrix",   "falcon",    "eagle",     "mustang",   "corvette",
    "ferrari",  "porsche",   "harley",    "viking",    "pirate",   "ninja",     "wizard",    "merlin",    "gandalf",
    "raiders",  "packers",   "lakers",    "rangers",   "celtic",   "arsenal",   "chelsea",   "liverpool", "madrid",
    "rosebud",  "bubbles",   "peanut",    "muffin",    "cupcake",  "kitten",    "puppy",     "bandit",    "rocket",
    "thunder",  "lightning", "blizzard",  "avalanche", "volcano",  "hurricane", "tornado",   "storm",     "ranger",
    "cowboy",   "rodeo",     "bronco",    "stallion",  "maverick", "goose",     "iceman",    "topgun",    "jupiter",
    "saturn",   "mercury",   "apollo",    "gemini",    "zeppelin", "nirvana",   "metallica", "beatles",   "elvis"};

constexpr std::string_view kUserFirst[] = {
    "yellow", "red",   "blue",      "green",   "purple", "orange", "black", "white", "silver", "golden",
    "big",    "tiny",  "lazy",      "happy",   "sad",    "crazy",  "brave", "angry", "heavy",  "ticklish",
    "sleepy", "smart", "beautiful", "organic", "wild",   "silly",  "fast",  "quiet", "lucky",  "shy"};
constexpr std::string_view kUserSecond[] = {
    "peacock", "bear",     "tiger",   "lion",    "rabbit",  "duck",   "swan",      "goose",   "fish",
    "frog",    "koala",    "panda",   "wolf",    "fox",     "owl",    "eagle",     "parrot",  "zebra",
    "leopard", "elephant", "gorilla", "monkey",  "snake",   "lizard", "butterfly", "ladybug", "dog",
    "cat",     "mouse",    "meercat", "ostrich", "buffalo", "badger", "beaver",    "crab",    "shark"};

// Offsets as the API writes them ("+5:30", "0:00", "-3:30"); descriptions written for rtpipe.
constexpr TimeZone kTimeZones[] = {
    {"-12:00", "Baker Island, Howland Island"},
    {"-11:00", "Pago Pago, Niue"},
    {"-10:00", "Honolulu, Papeete"},
    {"-9:30", "Marquesas Islands"},
    {"-9:00", "Anchorage, Juneau"},
    {"-8:00", "Los Angeles, Vancouver, Tijuana"},
    {"-7:00", "Denver, Calgary, Phoenix"},
    {"-6:00", "Chicago, Mexico City, Winnipeg"},
    {"-5:00", "New York, Toronto, Bogota, Lima"},
    {"-4:00", "Halifax, Caracas, La Paz, Santiago"},
    {"-3:30", "St. John's, Newfoundland"},
    {"-3:00", "Sao Paulo, Buenos Aires, Montevideo"},
    {"-2:00", "South Georgia, Fernando de Noronha"},
    {"-1:00", "Azores, Praia"},
    {"0:00", "London, Dublin, Lisbon, Accra"},
    {"+1:00", "Paris, Berlin, Madrid, Lagos"},
    {"+2:00", "Athens, Helsinki, Kyiv, Cairo, Johannesburg"},
    {"+3:00", "Moscow, Istanbul, Nairobi, Riyadh"},
    {"+3:30", "Tehran"},
    {"+4:00", "Dubai, Baku, Tbilisi, Muscat"},
    {"+4:30", "Kabul"},
    {"+5:00", "Karachi, Tashkent, Yekaterinburg"},
    {"+5:30", "Mumbai, New Delhi, Colombo"},
    {"+5:45", "Kathmandu"},
    {"+6:00", "Dhaka, Almaty, Bishkek"},
    {"+7:00", "Bangkok, Jakarta, Hanoi"},
    {"+8:00", "Singapore, Beijing, Perth, Manila"},
    {"+9:00", "Tokyo, Seoul, Yakutsk"},
    {"+9:30", "Adelaide, Darwin"},
    {"+10:00", "Sydney, Brisbane, Guam, Vladivostok"},
    {"+11:00", "Noumea, Honiara, Magadan"},
    {"+12:00", "Auckland, Suva, Petropavlovsk-Kamchatsky"},
};

// In AllNationalities() order.
const std::array<const NatData*, 21> kNats = {&kNatAU, &kNatBR, &kNatCA, &kNatCH, &kNatDE, &kNatDK, &kNatES,
                                              &kNatFI, &kNatFR, &kNatGB, &kNatIE, &kNatIN, &kNatIR, &kNatMX,
                                              &kNatNL, &kNatNO, &kNatNZ, &kNatRS, &kNatTR, &kNatUA, &kNatUS};

}  // namespace

const NatData& NatDataAt(size_t index) {
  RTPIPE_ASSERT(index < kNats.size(), "nationality index {}", index);
  return *kNats[index];
}

WordList Passwords() { return kPasswords; }
WordList UsernameFirstWords() { return kUserFirst; }
WordList UsernameSecondWords() { return kUserSecond; }
std::span<const TimeZone> TimeZones() { return kTimeZones; }

}  // namespace rtpipe::gen
