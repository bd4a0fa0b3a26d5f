// Generator word lists: CH, ES, FR, IN, IR (Persian script, as the API writes it), RS, TR, UA.

#include "rtpipe/source/generator_data.h"

namespace rtpipe::gen {

namespace ch {
constexpr std::string_view kMale[] = {"Luca", "Noah",   "Leon",     "Matteo", "Elias",   "Jan",    "Reto",
                                      "Urs",  "Beat",   "Jean-Luc", "Marco",  "Nicolas", "Fabian", "Loris",
                                      "Gian", "Samuel", "Cédric",   "Mathéo", "Silvan",  "Flurin"};
constexpr std::string_view kFemale[] = {"Mia",     "Lina",   "Elena",  "Léa",    "Laura", "Anna",   "Nina",
                                        "Chiara",  "Céline", "Andrea", "Ursula", "Vreni", "Mirjam", "Noémie",
                                        "Seraina", "Flavia", "Zoé",    "Jasmin", "Manon", "Annina"};
constexpr std::string_view kLast[] = {"Müller",    "Meier", "Schmid",     "Keller",  "Weber",  "Huber",
                                      "Schneider", "Meyer", "Steiner",    "Fischer", "Gerber", "Brunner",
                                      "Baumann",   "Frei",  "Zimmermann", "Moser",   "Favre",  "Rochat",
                                      "Bianchi",   "Rossi", "Dubois",     "Lehmann", "Roth",   "Bühler"};
constexpr std::string_view kStreets[] = {"Bahnhofstrasse", "Rue du Marché",   "Hauptstrasse", "Via Nassa",
                                         "Dorfstrasse",    "Rue de Lausanne", "Kirchgasse",   "Chemin des Vignes",
                                         "Seestrasse",     "Rue du Rhône ",   "Spitalgasse",  "Avenue de la Gare",
                                         "Rue de Bourg",   "Poststrasse"};
constexpr std::string_view kCities[] = {"Zürich",    "Genève",     "Basel",  "Lausanne",     "Bern",  "Winterthur",
                                        "Luzern",    "St. Gallen", "Lugano", "Biel/Bienne",  "Thun",  "Fribourg",
                                        "Neuchâtel", "Sion",       "Chur",   "Schaffhausen", "Aarau", "Montreux"};
constexpr std::string_view kStates[] = {
    "Zürich", "Bern",    "Luzern", "Uri",  "Schwyz", "Glarus",    "Zug",    "Fribourg", "Solothurn",  "Basel-Stadt",
    "Aargau", "Thurgau", "Ticino", "Vaud", "Valais", "Neuchâtel", "Genève", "Jura",     "Graubünden", "St. Gallen"};
}  // namespace ch
const NatData kNatCH{"CH", ch::kMale, ch::kFemale, ch::kLast, ch::kStreets, ch::kCities, ch::kStates};

namespace es {
constexpr std::string_view kMale[] = {"Hugo",   "Martín", "Lucas", "Mateo",  "Pablo",     "Álvaro", "Adrián",
                                      "Javier", "Sergio", "Jorge", "Manuel", "Francisco", "Íñigo",  "Joaquín",
                                      "Ramón",  "Rubén",  "Aitor", "Xavier", "Jesús",     "Óscar"};
constexpr std::string_view kFemale[] = {"Lucía",      "Sofía",  "Martina",    "María",    "Paula", "Carmen", "Elena",
                                        "Alba",       "Noelia", "Irene",      "Ainhoa",   "Nerea", "Rocío",  "Begoña",
                                        "Montserrat", "Pilar",  "Inmaculada", "Consuelo", "Leire", "Ángela"};
constexpr std::string_view kLast[] = {"García",    "Fernández", "González", "Rodríguez", "López",   "Martínez",
                                      "Sánchez",   "Pérez",     "Gómez",    "Martín",    "Jiménez", "Ruiz",
                                      "Hernández", "Díaz",      "Moreno",   "Muñoz",     "Álvarez", "Romero",
                                      "Navarro",   "Iglesias",  "Castro",   "Ortega"};
constexpr std::string_view kStreets[] = {
    "Calle Mayor",      "Calle de Alcalá", "Avenida de Andalucía", "Calle del Prado",           "Paseo de Extremadura",
    "Calle de la Luna", "Calle de Toledo", "Avenida del Puerto ",  "Calle de Bravo Murillo",    "Ronda de Valencia",
    "Calle de Atocha",  "Plaza de España", "Calle de Segovia",     "Avenida de la Constitución"};
constexpr std::string_view kCities[] = {
    "Madrid",   "Barcelona", "Valencia", "Sevilla",    "Zaragoza", "Málaga", "Murcia",  "Palma de Mallorca",
    "Bilbao",   "Alicante",  "Córdoba",  "Valladolid", "Vigo",     "Gijón",  "Granada", "Santander",
    "Pamplona", "Almería"};
constexpr std::string_view kStates[] = {"Andalucía",        "Aragón",
                                        "Asturias",         "Islas Baleares",
                                        "Canarias",         "Cantabria",
                                        "Castilla y León",  "Castilla-La Mancha",
                                        "Cataluña",         "Comunidad Valenciana",
                                        "Extremadura",      "Galicia",
                                        "La Rioja",         "Comunidad de Madrid",
                                        "Región de Murcia", "Navarra",
                                        "País Vasco"};
}  // namespace es
const NatData kNatES{"ES", es::kMale, es::kFemale, es::kLast, es::kStreets, es::kCities, es::kStates};

namespace fr {
constexpr std::string_view kMale[] = {"Gabriel", "Louis",  "Raphaël", "Jules",    "Arthur",      "Hugo",   "Théo",
                                      "Maël",    "Nathan", "Mathis",  "Jean-Luc", "Jean-Pierre", "Benoît", "Thibault",
                                      "Loïc",    "Gaëtan", "Rémi",    "Mathéo",   "Yannick",     "Clément"};
constexpr std::string_view kFemale[] = {
    "Jade",   "Louise",  "Emma",  "Alice", "Chloé",   "Inès",   "Léna",     "Manon",        "Camille",     "Maëlle",
    "Océane", "Margaux", "Anaïs", "Élise", "Héloïse", "Noémie", "Clémence", "Marie-Claire", "Anne-Sophie", "Agathe"};
constexpr std::string_view kLast[] = {"Martin",   "Bernard",  "Dubois", "Thomas", "Robert",   "Richard",
                                      "Petit",    "Durand",   "Leroy",  "Moreau", "Simon",    "Laurent",
                                      "Lefebvre", "Michel",   "Garcia", "David",  "Bertrand", "Roux",
                                      "Vincent",  "Fournier", "Morel",  "Girard", "Lefèvre",  "d'Aubigné"};
constexpr std::string_view kStreets[] = {
    "Rue de la République", "Rue Victor-Hugo",   "Rue Pasteur",       "Place du Marché",         "Rue de l'Église",
    "Avenue Jean-Jaurès",   "Rue Gambetta",      "Rue Paul-Bert ",    "Boulevard de la Liberté", "Rue des Écoles",
    "Rue du Moulin",        "Avenue de la Gare", "Rue Saint-Georges", "Quai des Célestins",      "Rue Principale"};
constexpr std::string_view kCities[] = {"Paris",    "Marseille",  "Lyon",          "Toulouse", "Nice",
                                        "Nantes",   "Strasbourg", "Montpellier",   "Bordeaux", "Lille",
                                        "Rennes",   "Reims",      "Saint-Étienne", "Le Havre", "Toulon",
                                        "Grenoble", "Dijon",      "Angers",        "Nîmes",    "Aix-en-Provence"};
constexpr std::string_view kStates[] = {"Île-de-France",
                                        "Auvergne-Rhône-Alpes",
                                        "Nouvelle-Aquitaine",
                                        "Occitanie",
                                        "Hauts-de-France",
                                        "Provence-Alpes-Côte d'Azur",
                                        "Grand Est",
                                        "Bretagne",
                                        "Normandie",
                                        "Pays de la Loire",
                                        "Bourgogne-Franche-Comté",
                                        "Centre-Val de Loire",
                                        "Corse",
                                        "Ardèche",
                                        "Haute-Savoie",
                                        "Gironde"};
}  // namespace fr
const NatData kNatFR{"FR", fr::kMale, fr::kFemale, fr::kLast, fr::kStreets, fr::kCities, fr::kStates};

namespace in {
constexpr std::string_view kMale[] = {"Aarav",  "Vihaan", "Arjun",  "Rohan",     "Rahul",  "Amit",   "Sanjay",
                                      "Vikram", "Karan",  "Aditya", "Siddharth", "Nikhil", "Pranav", "Ishaan",
                                      "Harsh",  "Manoj",  "Deepak", "Suresh",    "Rajesh", "Anil"};
constexpr std::string_view kFemale[] = {"Aadhya", "Ananya", "Diya",    "Priya",  "Pooja",     "Neha",  "Sneha",
                                        "Kavya",  "Isha",   "Riya",    "Shreya", "Anjali",    "Meera", "Lakshmi",
                                        "Divya",  "Swati",  "Nandini", "Tanvi",  "Aishwarya", "Sunita"};
constexpr std::string_view kLast[] = {
    "Sharma", "Verma", "Gupta", "Singh",  "Kumar",    "Patel", "Reddy",    "Nair",      "Iyer",   "Menon", "Rao",
    "Joshi",  "Desai", "Mehta", "Chopra", "Malhotra", "Bose",  "Banerjee", "Mukherjee", "Pillai", "Kaur",  "Shetty"};
constexpr std::string_view kStreets[] = {"MG Road",       "Brigade Rd",   "Park Street", "Linking Road", "Nehru Marg",
                                         "Gandhi Nagar",  "Station Rd",   "Anna Salai",  "FC Road",      "Residency Rd",
                                         "Lake View Rd ", "Shivaji Marg", "Rajpath",     "Tilak Rd"};
constexpr std::string_view kCities[] = {"Mumbai",  "Delhi",  "Bengaluru", "Hyderabad", "Ahmedabad", "Chennai",
                                        "Kolkata", "Pune",   "Jaipur",    "Lucknow",   "Kanpur",    "Nagpur",
                                        "Indore",  "Bhopal", "Patna",     "Vadodara",  "Kochi",     "Mysuru"};
constexpr std::string_view kStates[] = {"Maharashtra", "Delhi",       "Karnataka", "Telangana",     "Gujarat",
                                        "Tamil Nadu",  "West Bengal", "Rajasthan", "Uttar Pradesh", "Madhya Pradesh",
                                        "Bihar",       "Kerala",      "Punjab",    "Haryana",       "Odisha",
                                        "Assam",       "Goa"};
}  // namespace in
const NatData kNatIN{"IN", in::kMale, in::kFemale, in::kLast, in::kStreets, in::kCities, in::kStates};

namespace ir {
constexpr std::string_view kMale[] = {"علی",   "محمد",  "رضا",  "حسین",  "امیر",   "مهدی",  "آرش",
                                      "کوروش", "پارسا", "سینا", "بهرام", "داریوش", "عرفان", "سهیل",
                                      "مجید",  "یاسین", "کیان", "نیما",  "فرهاد",  "هومن"};
constexpr std::string_view kFemale[] = {"زهرا", "فاطمه", "مریم",  "سارا",  "نگار",  "نازنین", "یاسمن",
                                        "آیدا", "پریا",  "مهسا",  "شیرین", "ترانه", "الهام",  "پرستو",
                                        "نرگس", "هانیه", "ستاره", "رها",   "آوا",   "کیمیا"};
constexpr std::string_view kLast[] = {"احمدی",  "رضایی", "محمدی", "حسینی", "کریمی",   "موسوی", "جعفری",
                                      "صادقی",  "رحیمی", "کاظمی", "عباسی", "نوری",    "قاسمی", "سلطانی",
                                      "یزدانی", "شریفی", "طاهری", "زارعی", "کامرانی", "علوی"};
constexpr std::string_view kStreets[] = {"ولیعصر",   "آزادی",    "انقلاب",  "شهید بهشتی", "فاطمی",
                                         "کارگر",    "مطهری",    "شریعتی",  "دکتر چمران", "جمهوری",
                                         "پاسداران", "میرداماد", "نیاوران", "امام خمینی"};
constexpr std::string_view kCities[] = {"تهران", "مشهد",  "اصفهان", "شیراز", "تبریز", "کرج",
                                        "قم",    "اهواز", "رشت",    "کرمان", "یزد",   "همدان",
                                        "اراک",  "ساری",  "زنجان",  "قزوین", "کاشان", "بندر عباس"};
constexpr std::string_view kStates[] = {
    "تهران", "اصفهان", "فارس",  "خراسان رضوی", "آذربایجان شرقی", "گیلان", "مازندران", "خوزستان",          "کرمان",
    "یزد",   "همدان",  "مرکزی", "هرمزگان",     "زنجان",          "قزوین", "کردستان",  "سیستان و بلوچستان"};
}  // namespace ir
const NatData kNatIR{"IR", ir::kMale, ir::kFemale, ir::kLast, ir::kStreets, ir::kCities, ir::kStates};

namespace rs {
constexpr std::string_view kMale[] = {"Nikola", "Stefan",    "Marko", "Luka",       "Nemanja", "Miloš",   "Đorđe",
                                      "Dušan",  "Vuk",       "Petar", "Aleksandar", "Bojan",   "Dragan",  "Zoran",
                                      "Goran",  "Branislav", "Žarko", "Srđan",      "Čedomir", "Vladimir"};
constexpr std::string_view kFemale[] = {"Milica",  "Jelena",  "Ana",     "Marija",   "Jovana",   "Teodora", "Sara",
                                        "Ivana",   "Dragana", "Snežana", "Ljiljana", "Maja",     "Tijana",  "Nevena",
                                        "Gordana", "Vesna",   "Danica",  "Zorica",   "Katarina", "Mila"};
constexpr std::string_view kLast[] = {"Jovanović", "Petrović",  "Nikolić",     "Marković",  "Đorđević", "Stojanović",
                                      "Ilić",      "Stanković", "Pavlović",    "Milošević", "Popović",  "Živković",
                                      "Todorović", "Kostić",    "Ristić",      "Savić",     "Lazić",    "Mitrović",
                                      "Đukić",     "Kovačević", "Radovanović", "Šarac"};
constexpr std::string_view kStreets[] = {"Knez Mihailova",     "Bulevar kralja Aleksandra",
                                         "Nemanjina",          "Cara Dušana",
                                         "Vojvode Stepe",      "Kralja Petra",
                                         "Njegoševa",          "Takovska ",
                                         "Gospodar Jevremova", "Zmaj Jovina",
                                         "Kneza Miloša",       "Bulevar oslobođenja",
                                         "Svetogorska",        "Resavska"};
constexpr std::string_view kCities[] = {"Beograd", "Novi Sad", "Niš",      "Kragujevac", "Subotica",  "Zrenjanin",
                                        "Pančevo", "Čačak",    "Kraljevo", "Smederevo",  "Leskovac",  "Valjevo",
                                        "Šabac",   "Užice",    "Vranje",   "Sombor",     "Požarevac", "Pirot"};
constexpr std::string_view kStates[] = {"Beograd",         "Južnobački",    "Nišavski",  "Šumadijski",  "Severnobački",
                                        "Srednjebanatski", "Južnobanatski", "Moravički", "Raški",       "Podunavski",
                                        "Jablanički",      "Kolubarski",    "Mačvanski", "Zlatiborski", "Pčinjski",
                                        "Zapadnobački",    "Braničevski",   "Pirotski"};
}  // namespace rs
const NatData kNatRS{"RS", rs::kMale, rs::kFemale, rs::kLast, rs::kStreets, rs::kCities, rs::kStates};

namespace tr {
constexpr std::string_view kMale[] = {"Mehmet", "Mustafa", "Ahmet", "Ali",  "Hüseyin", "Hasan", "İbrahim",
                                      "İsmail", "Yusuf",   "Ömer",  "Emre", "Murat",   "Oğuz",  "Çağlar",
                                      "Gökhan", "Serkan",  "Barış", "Kaan", "Cem",     "Tolga"};
constexpr std::string_view kFemale[] = {"Ayşe",  "Fatma", "Emine",  "Hatice", "Zeynep", "Elif",  "Merve",
                                        "Özlem", "Büşra", "Gül",    "Şule",   "Derya",  "Esra",  "Gizem",
                                        "Ebru",  "Nur",   "Çiğdem", "Tuğba",  "Sevgi",  "Yağmur"};
constexpr std::string_view kLast[] = {
    "Yılmaz", "Kaya",  "Demir", "Şahin", "Çelik", "Yıldız", "Yıldırım", "Öztürk", "Aydın",  "Özdemir", "Arslan",
    "Doğan",  "Kılıç", "Aslan", "Çetin", "Kara",  "Koç",    "Kurt",     "Özkan",  "Şimşek", "Erdoğan", "Akbulut"};
constexpr std::string_view kStreets[] = {
    "Atatürk Cd", "İstiklal Cd",         "Cumhuriyet Cd", "Fatih Sk",       "Bağdat Cd",
    "Mevlana Cd", "Kıbrıs Şehitleri Cd", "Menekşe Sk",    "Anafartalar Cd", "Gazi Mustafa Kemal Blv",
    "Lale Sk ",   "Şehitler Cd",         "Barbaros Blv",  "Necatibey Cd"};
constexpr std::string_view kCities[] = {"İstanbul", "Ankara",    "İzmir",     "Bursa",   "Antalya", "Adana",
                                        "Konya",    "Gaziantep", "Şanlıurfa", "Kocaeli", "Mersin",  "Diyarbakır",
                                        "Kayseri",  "Eskişehir", "Samsun",    "Denizli", "Trabzon", "Çanakkale"};
constexpr std::string_view kStates[] = {"İstanbul", "Ankara",    "İzmir",   "Bursa",  "Antalya",   "Adana",
                                        "Konya",    "Gaziantep", "Kocaeli", "Mersin", "Kayseri",   "Eskişehir",
                                        "Samsun",   "Trabzon",   "Muğla",   "Aydın",  "Balıkesir", "Kırklareli"};
}  // namespace tr
const NatData kNatTR{"TR", tr::kMale, tr::kFemale, tr::kLast, tr::kStreets, tr::kCities, tr::kStates};

namespace ua {
constexpr std::string_view kMale[] = {"Oleksandr", "Andriy",   "Dmytro", "Serhiy",  "Mykola", "Volodymyr", "Taras",
                                      "Bohdan",    "Yaroslav", "Ostap",  "Vasyl",   "Ivan",   "Oleh",      "Petro",
                                      "Yuriy",     "Maksym",   "Roman",  "Vitaliy", "Stepan", "Hryhoriy"};
constexpr std::string_view kFemale[] = {"Olena",    "Oksana", "Iryna",     "Nataliya", "Tetyana", "Svitlana", "Yuliya",
                                        "Kateryna", "Halyna", "Larysa",    "Mariya",   "Sofiya",  "Solomiya", "Zoryana",
                                        "Lesya",    "Daryna", "Khrystyna", "Ulyana",   "Vira",    "Nadiya"};
constexpr std::string_view kLast[] = {"Shevchenko", "Kovalenko", "Bondarenko", "Tkachenko", "Kravchenko", "Oliynyk",
                                      "Shevchuk",   "Koval",     "Polishchuk", "Bondar",    "Tkachuk",    "Moroz",
                                      "Marchenko",  "Lysenko",   "Rudenko",    "Savchenko", "Petrenko",   "Melnyk",
                                      "Kovalchuk",  "Hnatyuk",   "Zinchenko",  "Boyko"};
constexpr std::string_view kStreets[] = {"Khreshchatyk",  "Shevchenka",   "Franka",   "Lesi Ukrayinky", "Sadova",
                                         "Soborna",       "Hrushevskoho", "Zelena",   "Mykhaylivska",   "Peremohy ",
                                         "Nezalezhnosti", "Kyivska",      "Vyshneva", "Tsentralna"};
constexpr std::string_view kCities[] = {"Kyiv",         "Kharkiv",   "Odesa",       "Dnipro",          "Lviv",
                                        "Zaporizhzhia", "Vinnytsia", "Poltava",     "Chernihiv",       "Cherkasy",
                                        "Zhytomyr",     "Sumy",      "Rivne",       "Ivano-Frankivsk", "Ternopil",
                                        "Lutsk",        "Uzhhorod",  "Khmelnytskyi"};
constexpr std::string_view kStates[] = {"Kyivska",     "Kharkivska", "Odeska",    "Dnipropetrovska",  "Lvivska",
                                        "Zaporizka",   "Vinnytska",  "Poltavska", "Chernihivska",     "Cherkaska",
                                        "Zhytomyrska", "Sumska",     "Rivnenska", "Ivano-Frankivska", "Ternopilska",
                                        "Volynska",    "Zakarpatska"};
}  // namespace ua
const NatData kNatUA{"UA", ua::kMale, ua::kFemale, ua::kLast, ua::kStreets, ua::kCities, ua::kStates};

}  // namespace rtpipe::gen
