// Generator word lists: DE, DK, FI, GB, IE, NL, NO.

#include "rtpipe/source/generator_data.h"

namespace rtpipe::gen {

namespace de {
constexpr std::string_view kMale[] = {"Lukas",  "Jonas",      "Felix", "Maximilian", "Leon",   "Paul",    "Jürgen",
                                      "Klaus",  "Dieter",     "Uwe",   "Matthias",   "Stefan", "Torsten", "Björn",
                                      "Günter", "Hans-Peter", "Jörg",  "Niklas",     "Moritz", "Ralf"};
constexpr std::string_view kFemale[] = {"Anna",     "Lena",   "Lea",        "Hannah", "Sophie",     "Marie", "Ursula",
                                        "Renate",   "Sabine", "Petra",      "Monika", "Jutta",      "Käthe", "Jana",
                                        "Annegret", "Heike",  "Lieselotte", "Maja",   "Anne-Marie", "Ilse"};
constexpr std::string_view kLast[] = {"Müller", "Schmidt", "Schneider",  "Fischer",  "Weber",   "Meyer",
                                      "Wagner", "Becker",  "Schulz",     "Hoffmann", "Koch",    "Richter",
                                      "Klein",  "Wolf",    "Schröder",   "Neumann",  "Schwarz", "Braun",
                                      "Krüger", "Hofmann", "Zimmermann", "Weiß",     "Lange",   "Köhler"};
constexpr std::string_view kStreets[] = {"Hauptstraße", "Schulstraße",  "Bahnhofstraße",  "Gartenstraße",
                                         "Dorfstraße",  "Lindenstraße", "Birkenweg",      "Kirchplatz",
                                         "Am Markt",    "Mühlenweg",    "Goethestraße ",  "Schillerstraße",
                                         "Waldstraße",  "Rosenweg",     "Friedhofstraße", "Kastanienallee"};
constexpr std::string_view kCities[] = {
    "Berlin", "Hamburg", "München", "Köln",     "Frankfurt am Main", "Stuttgart", "Düsseldorf", "Leipzig", "Dortmund",
    "Essen",  "Bremen",  "Dresden", "Hannover", "Nürnberg",          "Würzburg",  "Göttingen",  "Lübeck",  "Rostock"};
constexpr std::string_view kStates[] = {"Bayern",
                                        "Baden-Württemberg",
                                        "Berlin",
                                        "Brandenburg",
                                        "Bremen",
                                        "Hamburg",
                                        "Hessen",
                                        "Mecklenburg-Vorpommern",
                                        "Niedersachsen",
                                        "Nordrhein-Westfalen",
                                        "Rheinland-Pfalz",
                                        "Saarland",
                                        "Sachsen",
                                        "Sachsen-Anhalt",
                                        "Schleswig-Holstein",
                                        "Thüringen"};
}  // namespace de
const NatData kNatDE{"DE", de::kMale, de::kFemale, de::kLast, de::kStreets, de::kCities, de::kStates};

namespace dk {
constexpr std::string_view kMale[] = {"Mads",   "Rasmus", "Mikkel",      "Frederik", "Søren",  "Jens",  "Niels",
                                      "Anders", "Kasper", "Mathias",     "Jonas",    "Magnus", "Bjørn", "Asger",
                                      "Emil",   "Oliver", "Christoffer", "Troels",   "Ebbe",   "Aksel"};
constexpr std::string_view kFemale[] = {"Emma",     "Ida",   "Freja",    "Sofie", "Mette",  "Anne", "Kirsten",
                                        "Lone",     "Signe", "Camilla",  "Maja",  "Astrid", "Line", "Ditte",
                                        "Marianne", "Bodil", "Karoline", "Nanna", "Sørine", "Asta"};
constexpr std::string_view kLast[] = {"Jensen",     "Nielsen",  "Hansen",    "Pedersen",  "Andersen", "Christensen",
                                      "Larsen",     "Sørensen", "Rasmussen", "Jørgensen", "Petersen", "Madsen",
                                      "Kristensen", "Olsen",    "Thomsen",   "Poulsen",   "Johansen", "Møller",
                                      "Mortensen",  "Knudsen",  "Bækgaard",  "Holm"};
constexpr std::string_view kStreets[] = {"Vestergade", "Østergade", "Nørregade",   "Søndergade", "Kirkevej",
                                         "Skovvej",    "Møllevej",  "Strandvejen", "Enghavevej", "Åboulevarden",
                                         "Bredgade ",  "Algade",    "Fælledvej",   "Violvej",    "Birkevej"};
constexpr std::string_view kCities[] = {"København", "Aarhus",     "Odense", "Aalborg",  "Esbjerg",   "Randers",
                                        "Kolding",   "Horsens",    "Vejle",  "Roskilde", "Herning",   "Silkeborg",
                                        "Næstved",   "Fredericia", "Viborg", "Køge",     "Holstebro", "Slagelse"};
constexpr std::string_view kStates[] = {"Hovedstaden", "Midtjylland", "Nordjylland", "Sjælland", "Syddanmark"};
}  // namespace dk
const NatData kNatDK{"DK", dk::kMale, dk::kFemale, dk::kLast, dk::kStreets, dk::kCities, dk::kStates};

namespace fi {
constexpr std::string_view kMale[] = {"Juhani", "Mikko", "Matti",  "Jari",  "Timo",   "Pekka",  "Antti",
                                      "Ville",  "Eetu",  "Onni",   "Väinö", "Aleksi", "Joonas", "Teemu",
                                      "Lauri",  "Eino",  "Ilmari", "Jussi", "Kalle",  "Tuomas"};
constexpr std::string_view kFemale[] = {"Aino",   "Helmi", "Eevi",  "Sanna",  "Tiina",  "Päivi", "Johanna",
                                        "Anneli", "Minna", "Katja", "Elina",  "Sofia",  "Venla", "Iida",
                                        "Lotta",  "Satu",  "Maija", "Hilkka", "Riikka", "Pirjo"};
constexpr std::string_view kLast[] = {"Korhonen", "Virtanen",  "Mäkinen",  "Nieminen",   "Mäkelä",   "Hämäläinen",
                                      "Laine",    "Heikkinen", "Koskinen", "Järvinen",   "Lehtonen", "Lehtinen",
                                      "Saarinen", "Salminen",  "Heinonen", "Niemi",      "Heikkilä", "Kinnunen",
                                      "Salonen",  "Turunen",   "Rantanen", "Karjalainen"};
constexpr std::string_view kStreets[] = {"Mannerheimintie", "Hämeenkatu",   "Aleksanterinkatu",  "Pohjoisesplanadi",
                                         "Rautatienkatu",   "Kauppakatu",   "Satamakatu",        "Puistokatu",
                                         "Koulukatu",       "Tehtaankatu ", "Itsenäisyydenkatu", "Pispalan Valtatie",
                                         "Hämeentie",       "Kirkkokatu"};
constexpr std::string_view kCities[] = {"Helsinki",    "Espoo", "Tampere",   "Vantaa",    "Oulu",    "Turku",
                                        "Jyväskylä",   "Lahti", "Kuopio",    "Pori",      "Joensuu", "Lappeenranta",
                                        "Hämeenlinna", "Vaasa", "Seinäjoki", "Rovaniemi", "Kotka",   "Mikkeli"};
constexpr std::string_view kStates[] = {"Uusimaa",         "Pirkanmaa",     "Varsinais-Suomi", "Pohjois-Pohjanmaa",
                                        "Keski-Suomi",     "Päijät-Häme",   "Pohjois-Savo",    "Satakunta",
                                        "Pohjois-Karjala", "Etelä-Karjala", "Kanta-Häme",      "Pohjanmaa",
                                        "Lappi",           "Kymenlaakso",   "Etelä-Savo",      "Kainuu"};
}  // namespace fi
const NatData kNatFI{"FI", fi::kMale, fi::kFemale, fi::kLast, fi::kStreets, fi::kCities, fi::kStates};

namespace gb {
constexpr std::string_view kMale[] = {"Oliver", "Harry",  "George",   "Jack",  "Charlie", "Alfie",   "Freddie",
                                      "Archie", "Alfred", "Rhys",     "Dylan", "Callum",  "Gareth",  "Nigel",
                                      "Clive",  "Rupert", "Alastair", "Thos.", "Declan",  "Reginald"};
constexpr std::string_view kFemale[] = {"Olivia", "Amelia", "Isla",    "Ava",     "Emily",      "Poppy",   "Sophie",
                                        "Lucy",   "Gemma",  "Siobhan", "Eleanor", "Harriet",    "Imogen",  "Beatrice",
                                        "Rhian",  "Kirsty", "Fiona",   "Mairead", "Anne-Marie", "Philippa"};
constexpr std::string_view kLast[] = {"Smith",   "Jones",  "Taylor",   "Brown",  "Williams",   "Wilson",
                                      "Johnson", "Davies", "Robinson", "Wright", "Thompson",   "Evans",
                                      "Walker",  "White",  "Roberts",  "Green",  "Hall",       "Wood",
                                      "Jackson", "Clarke", "Hughes",   "Lloyd",  "Fitzgerald", "Ashworth-Jones"};
constexpr std::string_view kStreets[] = {"High Street", "Station Road", "Church Lane", "Victoria Road",
                                         "Green Lane",  "Manor Road",   "Park Road",   "The Avenue",
                                         "Kingsway",    "Mill Lane ",   "London Road", "Queensway",
                                         "Grange Road", "New Street",   "School Lane", "Richmond Road"};
constexpr std::string_view kCities[] = {
    "London",     "Birmingham", "Manchester", "Leeds",          "Glasgow",           "Sheffield",    "Bradford",
    "Liverpool",  "Edinburgh",  "Bristol",    "Cardiff",        "Leicester",         "Coventry",     "Belfast",
    "Nottingham", "Swansea",    "Aberdeen",   "Stoke-on-Trent", "Brighton and Hove", "Wolverhampton"};
constexpr std::string_view kStates[] = {"Greater London", "West Midlands", "Greater Manchester",
                                        "West Yorkshire", "Merseyside",    "Kent",
                                        "Essex",          "Lancashire",    "Hampshire",
                                        "Devon",          "Cornwall",      "Norfolk",
                                        "Tayside",        "Strathclyde",   "Lothian",
                                        "Gwynedd County", "County Down",   "Dyfed"};
}  // namespace gb
const NatData kNatGB{"GB", gb::kMale, gb::kFemale, gb::kLast, gb::kStreets, gb::kCities, gb::kStates};

namespace ie {
constexpr std::string_view kMale[] = {"Seán",   "Conor",   "Ciarán", "Darragh",  "Oisín",  "Cian",   "Patrick",
                                      "Liam",   "Eoin",    "Fionn",  "Tadhg",    "Colm",   "Dónal",  "Niall",
                                      "Ruairí", "Brendan", "Jas.",   "Diarmuid", "Cathal", "Padraig"};
constexpr std::string_view kFemale[] = {"Aoife", "Saoirse", "Niamh",   "Siobhán", "Caoimhe", "Róisín",    "Ciara",
                                        "Orla",  "Sinéad",  "Aisling", "Clodagh", "Gráinne", "Áine",      "Méabh",
                                        "Bríd",  "Eimear",  "Nuala",   "Úna",     "Deirdre", "Mary-Ellen"};
constexpr std::string_view kLast[] = {"Murphy",   "Kelly",     "O'Sullivan", "Walsh",     "Smith",    "O'Brien",
                                      "Byrne",    "Ryan",      "O'Connor",   "O'Neill",   "O'Reilly", "Doyle",
                                      "McCarthy", "Gallagher", "O'Doherty",  "Kennedy",   "Lynch",    "Murray",
                                      "Quinn",    "Moore",     "McLoughlin", "Ní Bhriain"};
constexpr std::string_view kStreets[] = {"Main Street",    "Church Road",   "O'Connell Street", "Grafton Street",
                                         "Patrick Street", "Castle Street", "Mill Road",        "Bóthar na Trá",
                                         "Shop Street",    "Dublin Road",   "Green Road ",      "Strand Road",
                                         "Parnell Square", "Abbey Street"};
constexpr std::string_view kCities[] = {"Dublin",  "Cork",   "Limerick",  "Galway", "Waterford", "Drogheda",
                                        "Dundalk", "Swords", "Bray",      "Navan",  "Kilkenny",  "Ennis",
                                        "Carlow",  "Tralee", "Newbridge", "Sligo",  "Athlone",   "Letterkenny"};
constexpr std::string_view kStates[] = {"Dublin",    "Cork",    "Galway",  "Kerry",    "Limerick", "Mayo",
                                        "Donegal",   "Wexford", "Wicklow", "Kildare",  "Meath",    "Clare",
                                        "Tipperary", "Sligo",   "Louth",   "Kilkenny", "Offaly",   "Roscommon"};
}  // namespace ie
const NatData kNatIE{"IE", ie::kMale, ie::kFemale, ie::kLast, ie::kStreets, ie::kCities, ie::kStates};

namespace nl {
constexpr std::string_view kMale[] = {"Daan",    "Sem",  "Bram",    "Lars",   "Thijs",      "Jeroen", "Pieter",
                                      "Maarten", "Ruud", "Joost",   "Sjoerd", "Wouter",     "Koen",   "Stijn",
                                      "Gijs",    "Teun", "Hendrik", "Bas",    "Jan-Willem", "Arjen"};
constexpr std::string_view kFemale[] = {"Emma", "Julia",   "Sanne",   "Lotte",  "Fleur", "Anouk",   "Femke",
                                        "Inge", "Marieke", "Ilse",    "Esther", "Noor",  "Tess",    "Lieke",
                                        "Anke", "Wilma",   "Jantine", "Roos",   "Floor", "Annelies"};
constexpr std::string_view kLast[] = {
    "de Jong",  "Jansen",      "de Vries", "van den Berg", "van Dijk",       "Bakker", "Janssen", "Visser",
    "Smit",     "Meijer",      "de Boer",  "Mulder",       "de Groot",       "Bos",    "Vos",     "Peters",
    "Hendriks", "van Leeuwen", "Dekker",   "'t Hooft",     "van der Linden", "Kuipers"};
constexpr std::string_view kStreets[] = {
    "Kerkstraat",    "Dorpsstraat",  "Schoolstraat",     "Molenweg",      "Stationsweg",
    "Julianastraat", "Beatrixlaan",  "Wilhelminastraat", "Prinsengracht", "Nieuwe Binnenweg ",
    "Lindenlaan",    "Oranjestraat", "Marktplein",       "Emmastraat",    "Burgemeester Visserstraat"};
constexpr std::string_view kCities[] = {"Amsterdam",  "Rotterdam",  "Den Haag",        "Utrecht", "Eindhoven",
                                        "Groningen",  "Tilburg",    "Almere",          "Breda",   "Nijmegen",
                                        "Apeldoorn",  "Haarlem",    "Enschede",        "Arnhem",  "Zwolle",
                                        "Leeuwarden", "Maastricht", "'s-Hertogenbosch"};
constexpr std::string_view kStates[] = {"Noord-Holland", "Zuid-Holland", "Utrecht",   "Noord-Brabant",
                                        "Gelderland",    "Overijssel",   "Limburg",   "Groningen",
                                        "Friesland",     "Drenthe",      "Flevoland", "Zeeland"};
}  // namespace nl
const NatData kNatNL{"NL", nl::kMale, nl::kFemale, nl::kLast, nl::kStreets, nl::kCities, nl::kStates};

namespace no {
constexpr std::string_view kMale[] = {"Ole",   "Lars",   "Magnus",  "Håkon",    "Sindre", "Eirik",  "Kristian",
                                      "Jonas", "Sverre", "Øystein", "Torbjørn", "Vegard", "Espen",  "Henrik",
                                      "Tor",   "Audun",  "Halvor",  "Ørjan",    "Aksel",  "Bjørnar"};
constexpr std::string_view kFemale[] = {"Ingrid", "Nora",  "Emma",    "Sofie", "Ida",      "Kari", "Solveig",
                                        "Hanne",  "Marit", "Silje",   "Tone",  "Ragnhild", "Åse",  "Live",
                                        "Thea",   "Guro",  "Synnøve", "Maren", "Hedda",    "Vilde"};
constexpr std::string_view kLast[] = {"Hansen",  "Johansen",    "Olsen",  "Larsen",  "Andersen", "Pedersen",
                                      "Nilsen",  "Kristiansen", "Jensen", "Karlsen", "Johnsen",  "Pettersen",
                                      "Eriksen", "Berg",        "Haugen", "Hagen",   "Bakken",   "Solberg",
                                      "Strand",  "Dahl",        "Lie",    "Sæther"};
constexpr std::string_view kStreets[] = {
    "Storgata",     "Kirkeveien",   "Skolegata",  "Strandveien",      "Bjørnstjerne Bjørnsons gate",
    "Kongens gate", "Sjøgata",      "Fjellveien", "Dronningens gate", "Bygdøy allé ",
    "Hovedgata",    "Jernbanegata", "Markveien",  "Løkkeveien"};
constexpr std::string_view kCities[] = {
    "Oslo",    "Bergen", "Trondheim", "Stavanger", "Drammen",  "Fredrikstad", "Kristiansand", "Tromsø",      "Sandnes",
    "Ålesund", "Bodø",   "Hamar",     "Larvik",    "Tønsberg", "Moss",        "Haugesund",    "Lillehammer", "Molde"};
constexpr std::string_view kStates[] = {"Oslo",      "Viken",    "Innlandet",        "Vestfold og Telemark",
                                        "Agder",     "Rogaland", "Vestland",         "Møre og Romsdal",
                                        "Trøndelag", "Nordland", "Troms og Finnmark"};
}  // namespace no
const NatData kNatNO{"NO", no::kMale, no::kFemale, no::kLast, no::kStreets, no::kCities, no::kStates};

}  // namespace rtpipe::gen
