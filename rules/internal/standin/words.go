package standin

// The word lists of synthetic stand-ins (see README.md). firstNames and
// lastNames hold exactly 256 entries each so that one digest byte picks one
// without bias.

// firstNames are given names of many origins.
var firstNames = [256]string{
	"Aaliyah", "Aarav", "Abdullah", "Abigail", "Ada", "Adebayo", "Adriana",
	"Ahmed", "Aiko", "Aisha", "Akira", "Alejandro", "Aleksander", "Alice",
	"Alina", "Amara", "Amelia", "Amir", "Ana", "Anders", "Andrea", "Ángel",
	"Anika", "Anjali", "Ansel", "Antoine", "Anya", "Aoife", "Arjun", "Astrid",
	"Aurora", "Ayumi", "Bao", "Beatriz", "Benedikt", "Benjamin", "Bianca",
	"Björn", "Bruno", "Camila", "Carlos", "Carmen", "Catalina", "Chen",
	"Chiara", "Chidi", "Chloé", "Clara", "Cormac", "Daniel", "Daniela",
	"Dario", "Dmitri", "Elena", "Elif", "Elijah", "Elin", "Emeka", "Emil",
	"Emilia", "Emma", "Enzo", "Erik", "Esther", "Eun-ji", "Ewa", "Fatima",
	"Felipe", "Fernando", "Finn", "Fiona", "Florian", "Francesca", "Freya",
	"Gabriel", "Gabriela", "Giulia", "Grace", "Hana", "Hannah", "Haruto",
	"Hassan", "Helena", "Hiroshi", "Hugo", "Ibrahim", "Ines", "Ingrid",
	"Irene", "Isabel", "Isaac", "Ivan", "Jakob", "James", "Javier", "Jia",
	"Jin", "João", "Jonas", "Jorge", "Josefine", "José", "Julia", "Julian",
	"Kaito", "Kalani", "Karim", "Katarzyna", "Kavya", "Kemal", "Kenji",
	"Kofi", "Laila", "Lars", "Laura", "Layla", "Leila", "Lena", "León",
	"Liam", "Lina", "Lucas", "Lucía", "Luis", "Lukas", "Łucja", "Maja",
	"Malik", "Mani", "Marco", "Maria", "Mariam", "Marta", "Mateo", "Matteo",
	"Maya", "Mei", "Mia", "Mikael", "Min-jun", "Miriam", "Mohammed", "Nadia",
	"Naledi", "Naoko", "Nathan", "Nia", "Nikolai", "Nils", "Noah", "Noor",
	"Nora", "Olga", "Oliver", "Olivia", "Omar", "Oscar", "Pablo", "Paolo",
	"Pedro", "Petra", "Pierre", "Priya", "Rafael", "Rahul", "Ravi", "Renée",
	"Ricardo", "Rina", "Rohan", "Rosa", "Ruth", "Sakura", "Samir", "Sara",
	"Sebastián", "Selin", "Sergei", "Shreya", "Siddharth", "Simone", "Sofia",
	"Søren", "Stefan", "Sunita", "Tariq", "Teresa", "Thabo", "Theo", "Thomas",
	"Tomás", "Uma", "Valentina", "Vera", "Victor", "Vikram", "Wei", "Wiktor",
	"Xavier", "Yara", "Yasmin", "Yosef", "Yuki", "Yusuf", "Zainab", "Zara",
	"Zoë", "Zofia", "Ahanu", "Akosua", "Alexei", "Amina", "Bilal", "Chiamaka",
	"Dalia", "Diego", "Eduardo", "Farah", "Hamza", "Hiro", "Imani", "Jamal",
	"Kwame", "Leilani", "Luca", "Mateus", "Nadim", "Nkechi", "Raúl", "Salma",
	"Tanvi", "Tuan", "Vivek", "Yaw", "Zeynep", "Anh", "Hye-jin", "Keanu",
	"Malia", "Arnav", "Efua", "Oren", "Rania", "Soo-ah", "Tove", "Rowan",
	"Sienna", "Teodor", "Wanjiru", "Yuna", "Ines-Maria", "Kasia", "Lior",
	"Matías", "Ngozi", "Pilar",
}

// lastNames are family names of many origins.
var lastNames = [256]string{
	"Abara", "Adeyemi", "Agarwal", "Ahn", "Alvarez", "Andersen", "Andersson",
	"Aoki", "Araújo", "Baker", "Banda", "Barros", "Bauer", "Becker",
	"Bergström", "Bianchi", "Bjørnsen", "Boateng", "Brennan", "Brown", "Bui",
	"Campbell", "Carvalho", "Castillo", "Chaudhry", "Chen", "Chopra",
	"Clarke", "Conti", "Costa", "Cruz", "Dąbrowski", "Dang", "Das", "Demir",
	"Diallo", "Díaz", "Dimitrov", "Doğan", "Dubois", "Duarte", "Edwards",
	"Eriksen", "Esposito", "Evans", "Farouk", "Fernández", "Ferrari",
	"Fischer", "Fitzgerald", "Fontaine", "Fujita", "Gallagher", "García",
	"Gómez", "González", "Greco", "Gupta", "Haddad", "Hakimi", "Hansen",
	"Hartmann", "Hashemi", "Hayes", "Herrera", "Hoang", "Hoffmann", "Horvat",
	"Hughes", "Ibrahim", "Ito", "Ivanova", "Iyer", "Jansen", "Jensen",
	"Jiménez", "Johansson", "Jones", "Joshi", "Kang", "Kapoor", "Karimi",
	"Kaya", "Keller", "Khalil", "Khan", "Kim", "Kowalski", "Kozlov", "Kruger",
	"Kumar", "Lambert", "Larsen", "Laurent", "Lee", "Lehmann", "Leone", "Li",
	"Lindqvist", "Liu", "López", "Lombardi", "Lund", "Macharia", "Mahlangu",
	"Malik", "Marino", "Martin", "Martínez", "Mbeki", "Mehta", "Mendoza",
	"Mensah", "Meyer", "Molina", "Moreau", "Morales", "Moreno", "Müller",
	"Murphy", "Nakamura", "Navarro", "Nguyen", "Nielsen", "Novak", "Nowak",
	"Nwosu", "Obi", "O'Brien", "Odhiambo", "Okafor", "Okonkwo", "Oliveira",
	"Olsen", "Ortiz", "Osei", "Owusu", "Özdemir", "Papadopoulos", "Park",
	"Patel", "Pereira", "Petrov", "Pham", "Popescu", "Quinn", "Rahman",
	"Ramírez", "Rao", "Reddy", "Reyes", "Ricci", "Richter", "Rivera", "Rizzo",
	"Robinson", "Rodríguez", "Romano", "Rossi", "Ruiz", "Saito", "Salazar",
	"Santos", "Sato", "Schmidt", "Schneider", "Schulz", "Sharma", "Silva",
	"Singh", "Sokolov", "Song", "Suárez", "Sullivan", "Suzuki", "Svensson",
	"Takahashi", "Tan", "Tanaka", "Taylor", "Thompson", "Torres", "Tran",
	"Tshabalala", "Turner", "Usman", "Vargas", "Varga", "Vasquez", "Vogel",
	"Volkov", "Wagner", "Walsh", "Wang", "Watanabe", "Weber", "Wiśniewski",
	"Wong", "Wu", "Yamamoto", "Yang", "Yilmaz", "Yoon", "Zhang", "Zhao",
	"Zimmermann", "Zulu", "Abe", "Achebe", "Bakr", "Chukwu", "Dlamini", "Eze",
	"Fofana", "Gashi", "Halvorsen", "Ishikawa", "Jovanović", "Kovač",
	"Lindgren", "Mwangi", "Nakagawa", "Okoye", "Rahimi", "Sandoval", "Tiwari",
	"Umar", "Valdez", "Werner", "Xu", "Yadav", "Zapata", "Kowalczyk", "Mazur",
	"Lewandowski", "Sandberg", "Fonseca", "Kuznetsov", "Hernández", "Abiodun",
	"Bose", "Castro", "Cohen", "Dumitru", "Figueroa", "Gunawardena", "Haugen",
	"Ilunga", "Jaramillo", "Kato", "Levi", "Medina", "Nascimento", "Ochieng",
	"Pacheco", "Quispe",
}

// streetWords name the streets of synthetic addresses.
var streetWords = [...]string{
	"Maple", "Oak", "Cedar", "Willow", "Elm", "Pine", "Birch", "Aspen",
	"Chestnut", "Hawthorn", "Juniper", "Laurel", "Magnolia", "Poplar", "Spruce", "Sycamore",
	"Meadow", "Orchard", "Brook", "River", "Lake", "Hill", "Valley", "Forest",
	"Harbor", "Bay", "Ridge", "Garden", "Park", "Spring", "Sunset", "Highland",
	"Lark", "Wren", "Heron", "Falcon", "Robin", "Swallow", "Kestrel", "Sparrow",
	"Amber", "Silver", "Copper", "Granite", "Coral", "Ivy", "Clover", "Heather",
	"Mill", "Church", "Station", "Market", "Bridge", "Castle", "Windmill", "Quarry",
	"Primrose", "Thistle", "Bramble", "Foxglove", "Rosewood", "Linden", "Alder", "Rowan",
}

// streetSuffixes end the street names of synthetic addresses.
var streetSuffixes = [...]string{
	"Street", "Avenue", "Road", "Lane", "Drive", "Court", "Place", "Way",
	"Boulevard", "Terrace", "Crescent", "Close", "Row", "Walk", "Square", "Parkway",
}

// cities are fictional towns for the tail of synthetic addresses.
var cities = [...]string{
	"Springfield", "Riverton", "Fairview", "Lakeside", "Oakridge", "Millbrook", "Ashford", "Brookhaven",
	"Cedar Falls", "Glenwood", "Harborview", "Kingsbury", "Maplewood", "Northwick", "Pinecrest", "Rosedale",
	"Stonebridge", "Westfield", "Willowby", "Elmstead", "Clearwater Bay", "Silverton", "Greendale", "Hollowmere",
	"Amberley", "Bramford", "Eastcliff", "Foxhollow", "Larkspur", "Meadowvale", "Oldcastle", "Thornbury",
}

// nanpAreaCodes are NANP area codes; 555-0100 to 555-0199 is fictional in
// every one of them.
var nanpAreaCodes = [...]string{
	"202", "212", "213", "303", "305", "312", "404", "415",
	"503", "512", "602", "617", "702", "713", "808", "907",
}

// emailDomains are the domains RFC 2606 reserves for examples.
var emailDomains = [...]string{"example.com", "example.net", "example.org"}
