// Generator word lists: AU, BR, CA, MX, NZ, US.

#include "rtpipe/source/generator_data.h"

namespace rtpipe::gen {
namespace au {
constexpr std::string_view kMale[] = {"Jack",   "Oliver", "William", "Noah",   "Thomas", "Lachlan", "Cooper",
                                      "Riley",  "Ethan",  "Liam",    "Mason",  "Harley", "Jayden",  "Darcy",
                                      "Bailey", "Angus",  "Hamish",  "Callum", "Brodie", "Kyle"};
constexpr std::string_view kFemale[] = {"Charlotte", "Olivia",  "Mia",     "Chloe",   "Isla",   "Matilda", "Ruby",
                                        "Sienna",    "Zoe",     "Jessica", "Emily",   "Tahlia", "Kayla",   "Brooke",
                                        "Madison",   "Jasmine", "Abbey",   "Georgia", "Holly",  "Lily"};
constexpr std::string_view kLast[] = {"Smith",   "Jones",  "Williams", "Brown",    "Wilson",   "Taylor",
                                      "Johnson", "White",  "Martin",   "Anderson", "Thompson", "Nguyen",
                                      "Walker",  "Harris", "Kelly",    "Ryan",     "Robinson", "Hughes",
                                      "Murphy",  "Gray",   "Fraser",   "Campbell", "Ward",     "Mitchell"};
constexpr std::string_view kStreets[] = {
    "George St",   "Pitt St",       "Collins St", "Queen St",  "Hay St",    "Bourke St", "Chapel St",   "Oxford St",
    "Victoria Rd", "Parramatta Rd", "Beach Rd",   "Church St", "Anzac Pde", "Bay St",    "Railway Pde", "Wattle Ave "};
constexpr std::string_view kCities[] = {"Sydney",     "Melbourne", "Brisbane", "Perth",     "Adelaide",   "Hobart",
                                        "Darwin",     "Canberra",  "Geelong",  "Cairns",    "Townsville", "Newcastle",
                                        "Wollongong", "Ballarat",  "Bendigo",  "Toowoomba", "Albury"};
constexpr std::string_view kStates[] = {
    "New South Wales", "Victoria", "Queensland",         "Western Australia",
    "South Australia", "Tasmania", "Northern Territory", "Australian Capital Territory"};
}  // namespace au
const NatData kNatAU{"AU", au::kMale, au::kFemale, au::kLast, au::kStreets, au::kCities, au::kStates};

namespace br {
constexpr std::string_view kMale[] = {"João",    "Pedro",  "Lucas",    "Gabriel", "Matheus",  "Rafael", "Gustavo",
                                      "Felipe",  "Thiago", "Bruno",    "Caio",    "Vinícius", "Otávio", "Leandro",
                                      "Rodrigo", "Márcio", "Anderson", "Igor",    "Júlio",    "Raul"};
constexpr std::string_view kFemale[] = {"Ana",     "Maria",    "Juliana",  "Fernanda", "Larissa", "Camila",  "Beatriz",
                                        "Letícia", "Bianca",   "Gabriela", "Luana",    "Débora",  "Natália", "Jéssica",
                                        "Aline",   "Priscila", "Tainá",    "Lúcia",    "Sônia",   "Vitória"};
constexpr std::string_view kLast[] = {"Silva",      "Santos",   "Oliveira",  "Souza",   "Rodrigues", "Ferreira",
                                      "Alves",      "Pereira",  "Lima",      "Gomes",   "Costa",     "Ribeiro",
                                      "Martins",    "Carvalho", "Araújo",    "Barbosa", "Rocha",     "Moraes",
                                      "Nascimento", "Teixeira", "Conceição", "Peixoto", "Mendes",    "da Cruz"};
constexpr std::string_view kStreets[] = {"Rua São Paulo",          "Rua Quinze de Novembro", "Avenida Brasil",
                                         "Rua das Flores",         "Rua Sete de Setembro",   "Avenida Paulista",
                                         "Rua da Consolação",      "Rua Bela Vista",         "Travessa dos Açores",
                                         "Rua Tiradentes",         "Rua Santa Luzia",        "Rua Pernambuco ",
                                         "Avenida Getúlio Vargas", "Rua Dom Pedro II"};
constexpr std::string_view kCities[] = {"São Paulo",     "Rio de Janeiro", "Belo Horizonte", "Salvador", "Fortaleza",
                                        "Recife",        "Curitiba",       "Porto Alegre",   "Manaus",   "Belém",
                                        "Goiânia",       "Campinas",       "São Luís",       "Maceió",   "Natal",
                                        "Florianópolis", "Juiz de Fora",   "Uberlândia"};
constexpr std::string_view kStates[] = {
    "São Paulo", "Rio de Janeiro", "Minas Gerais", "Bahia",    "Paraná",   "Rio Grande do Sul", "Pernambuco", "Ceará",
    "Pará",      "Santa Catarina", "Goiás",        "Maranhão", "Amazonas", "Espírito Santo",    "Paraíba"};
}  // namespace br
const NatData kNatBR{"BR", br::kMale, br::kFemale, br::kLast, br::kStreets, br::kCities, br::kStates};

namespace ca {
constexpr std::string_view kMale[] = {"Liam",   "Nathan", "Logan",  "Benjamin", "Félix",   "Xavier",   "Connor",
                                      "Owen",   "Jacob",  "Samuel", "Zachary",  "Justin",  "Tristan",  "Olivier",
                                      "Mathis", "Evan",   "Dylan",  "Carter",   "Gabriel", "Alexandre"};
constexpr std::string_view kFemale[] = {"Emma",    "Olivia",   "Léa",    "Florence", "Alice",   "Chloé",    "Maya",
                                        "Abigail", "Sophie",   "Avery",  "Camille",  "Rosalie", "Laurie",   "Megan",
                                        "Hannah",  "Brooklyn", "Noémie", "Jade",     "Zoé",     "Madeleine"};
constexpr std::string_view kLast[] = {"Tremblay", "Gagnon",   "Roy",      "Côté",    "Bouchard",  "Gauthier",
                                      "Morin",    "Lavoie",   "Fortin",   "Gagné",   "Ouellet",   "Pelletier",
                                      "Bélanger", "Lévesque", "Smith",    "Brown",   "MacDonald", "Campbell",
                                      "Wilson",   "Martin",   "Anderson", "Leblanc", "Chan",      "Singh"};
constexpr std::string_view kStreets[] = {"Yonge St",     "Dundas Rd",      "King St",         "Queen St",
                                         "Bloor St",     "Rue Sherbrooke", "Rue Saint-Denis", "Main St",
                                         "Robson St",    "Portage Ave",    "Jasper Ave",      "Grafton St",
                                         "Lakeshore Rd", "Maple Ave ",     "Dufferin St",     "Elgin St"};
constexpr std::string_view kCities[] = {"Toronto",   "Montréal", "Vancouver",  "Calgary", "Edmonton",    "Ottawa",
                                        "Winnipeg",  "Québec",   "Hamilton",   "Halifax", "Victoria",    "Regina",
                                        "Saskatoon", "Kingston", "Sherbrooke", "Moncton", "Fredericton", "Kelowna"};
constexpr std::string_view kStates[] = {"Ontario",
                                        "Québec",
                                        "British Columbia",
                                        "Alberta",
                                        "Manitoba",
                                        "Saskatchewan",
                                        "Nova Scotia",
                                        "New Brunswick",
                                        "Newfoundland and Labrador",
                                        "Prince Edward Island",
                                        "Yukon",
                                        "Nunavut",
                                        "Northwest Territories"};
}  // namespace ca
const NatData kNatCA{"CA", ca::kMale, ca::kFemale, ca::kLast, ca::kStreets, ca::kCities, ca::kStates};

namespace mx {
constexpr std::string_view kMale[] = {"José",     "Juan",     "Luis",    "Carlos", "Jorge",    "Miguel", "Alejandro",
                                      "Fernando", "Ricardo",  "Eduardo", "Arturo", "Javier",   "Sergio", "Héctor",
                                      "Ramón",    "Emiliano", "Rodrigo", "Iván",   "Mauricio", "Raúl"};
constexpr std::string_view kFemale[] = {
    "María",    "Guadalupe", "Sofía",   "Valentina", "Ximena", "Fernanda", "Daniela", "Andrea", "Mariana", "Alejandra",
    "Verónica", "Leticia",   "Araceli", "Rocío",     "Itzel",  "Paola",    "Yolanda", "Mónica", "Regina",  "Camila"};
constexpr std::string_view kLast[] = {"Hernández", "García",  "Martínez", "López",   "González", "Pérez",
                                      "Rodríguez", "Sánchez", "Ramírez",  "Cruz",    "Flores",   "Gómez",
                                      "Morales",   "Vázquez", "Reyes",    "Jiménez", "Torres",   "Díaz",
                                      "Gutiérrez", "Ruiz",    "Mendoza",  "Aguilar", "Ortiz",    "Castillo"};
constexpr std::string_view kStreets[] = {
    "Calle Hidalgo",          "Avenida Juárez",       "Calle Morelos",   "Avenida Insurgentes", "Calle Allende",
    "Calle Zaragoza",         "Avenida Reforma",      "Calle Madero",    "Privada Guerrero",    "Calle 5 de Mayo",
    "Boulevard Constitución", "Calle Independencia ", "Andador Obregón", "Cerrada Aldama"};
constexpr std::string_view kCities[] = {"Guadalajara", "Monterrey", "Puebla",   "Tijuana",  "León",     "Zapopan",
                                        "Mérida",      "Querétaro", "Toluca",   "Acapulco", "Oaxaca",   "Morelia",
                                        "Hermosillo",  "Chihuahua", "Saltillo", "Veracruz", "Culiacán", "Mexicali"};
constexpr std::string_view kStates[] = {"Jalisco",   "Nuevo León", "Puebla",           "Baja California", "Guanajuato",
                                        "Yucatán",   "Querétaro",  "Estado de México", "Guerrero",        "Oaxaca",
                                        "Michoacán", "Sonora",     "Chihuahua",        "Coahuila",        "Veracruz",
                                        "Sinaloa",   "Chiapas"};
}  // namespace mx
const NatData kNatMX{"MX", mx::kMale, mx::kFemale, mx::kLast, mx::kStreets, mx::kCities, mx::kStates};

namespace nz {
constexpr std::string_view kMale[] = {"Oliver", "Jack",   "Hunter", "Leo",    "George", "Arlo",  "Nikau",
                                      "Tama",   "Wiremu", "Mason",  "Lucas",  "Finn",   "Zane",  "Blake",
                                      "Tyler",  "Ari",    "Manaia", "Connor", "Hamish", "Rawiri"};
constexpr std::string_view kFemale[] = {"Isla", "Amelia", "Charlotte", "Aria",    "Harper",  "Mia",    "Ruby",
                                        "Ava",  "Maia",   "Aroha",     "Anahera", "Mere",    "Hannah", "Grace",
                                        "Ella", "Poppy",  "Kaia",      "Paige",   "Georgia", "Hana"};
constexpr std::string_view kLast[] = {"Smith", "Wilson", "Williams", "Brown",    "Taylor",   "Jones",
                                      "Ngata", "Walker", "Thomas",   "Clark",    "Robinson", "Harris",
                                      "Turei", "Parata", "Tipene",   "Campbell", "Stewart",  "Edwards",
                                      "King",  "Lewis",  "Kereama",  "Anderson", "Young",    "Moana"};
constexpr std::string_view kStreets[] = {"Queen Street",   "Cuba Street",    "Karangahape Road", "Lambton Quay",
                                         "Colombo Street", "Ponsonby Road",  "Great North Road", "Victoria Street",
                                         "Te Atatu Road",  "Riccarton Road", "Devonport Road",   "Cameron Road ",
                                         "Dominion Road",  "Hutt Road"};
constexpr std::string_view kCities[] = {"Auckland",     "Wellington", "Christchurch",     "Hamilton",  "Tauranga",
                                        "Dunedin",      "Napier",     "Palmerston North", "Nelson",    "Rotorua",
                                        "New Plymouth", "Whangarei",  "Invercargill",     "Whanganui", "Gisborne",
                                        "Porirua",      "Lower Hutt"};
constexpr std::string_view kStates[] = {"Auckland", "Wellington",  "Canterbury",        "Waikato",     "Bay of Plenty",
                                        "Otago",    "Hawke's Bay", "Manawatu-Wanganui", "Northland",   "Southland",
                                        "Taranaki", "Nelson",      "Gisborne",          "Marlborough", "West Coast"};
}  // namespace nz
const NatData kNatNZ{"NZ", nz::kMale, nz::kFemale, nz::kLast, nz::kStreets, nz::kCities, nz::kStates};

namespace us {
constexpr std::string_view kMale[] = {"James",  "John",    "Robert", "Michael", "William", "David",   "Richard",
                                      "Joseph", "Charles", "Thomas", "Daniel",  "Matthew", "Anthony", "Mark",
                                      "Steven", "Brandon", "Tyler",  "Dwayne",  "Wm.",     "Clarence"};
constexpr std::string_view kFemale[] = {"Mary",    "Patricia", "Jennifer", "Linda",   "Elizabeth", "Barbara", "Susan",
                                        "Jessica", "Sarah",    "Karen",    "Nancy",   "Lisa",      "Betty",   "Dorothy",
                                        "Sandra",  "Ashley",   "Kimberly", "Tiffany", "Mary-Kate", "Shelby"};
constexpr std::string_view kLast[] = {"Smith",  "Johnson",  "Williams", "Brown",  "Jones",  "Miller",
                                      "Davis",  "Wilson",   "Anderson", "Taylor", "Moore",  "Jackson",
                                      "Martin", "Lee",      "Thompson", "White",  "Harris", "Clark",
                                      "Lewis",  "Robinson", "O'Neal",   "Walker", "Young",  "Allen"};
constexpr std::string_view kStreets[] = {
    "Main St",   "Oak Ridge Ln",     "Pecan Acres Ln", "Wheeler Ridge Dr", "Lakeview St",    "W Belt Line Rd",
    "Elgin St",  "Hickory Creek Dr", "Washington Ave", "Country Club Rd",  "Spring St",      "Mockingbird Ln",
    "Cherry St", "Robinson Rd ",     "Preston Rd",     "Frances Ct",       "Valley View Ln", "Fincher Rd"};
constexpr std::string_view kCities[] = {"Springfield", "Fresno",     "Billings",       "Aurora",   "Tulsa",
                                        "Akron",       "Des Moines", "Spokane",        "Boise",    "Laredo",
                                        "Madison",     "Reno",       "Lubbock",        "Savannah", "Knoxville",
                                        "Rochester",   "Fort Wayne", "Salt Lake City", "Pueblo",   "Allentown"};
constexpr std::string_view kStates[] = {"California", "Texas",   "Florida", "New York",     "Pennsylvania",
                                        "Illinois",   "Ohio",    "Georgia", "Michigan",     "North Carolina",
                                        "Arizona",    "Montana", "Oregon",  "Kentucky",     "Nevada",
                                        "Iowa",       "Idaho",   "Maine",   "Rhode Island", "West Virginia"};
}  // namespace us
const NatData kNatUS{"US", us::kMale, us::kFemale, us::kLast, us::kStreets, us::kCities, us::kStates};

}  // namespace rtpipe::gen
