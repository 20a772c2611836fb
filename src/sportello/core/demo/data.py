"""Word lists for the demo town: first names, surnames, street names, neighbourhoods, birth
places. Invented or common public words only, no real person's record."""

from __future__ import annotations

from typing import NamedTuple


def _words(text: str) -> tuple[str, ...]:
    """One entry per comma-separated item, so that names with spaces stay whole."""
    return tuple(item.strip() for item in text.replace("\n", " ").split(",") if item.strip())


# --- First names, by the generation that gave them --------------------------------------------
# Born before about 1960, between 1960 and 1990, and after 1990: the demo picks from the lists
# whose era covers the birth year, so grandparents are not called Ginevra.
MALE_NAMES_OLD = _words("""
    Giuseppe, Giovanni, Antonio, Mario, Luigi, Franco, Bruno, Piero, Renato, Sergio, Giorgio,
    Carlo, Enzo, Aldo, Gino, Alberto, Luciano, Vittorio, Romano, Dino, Silvano, Ivo, Angelo,
    Roberto, Giancarlo, Umberto, Alfredo, Guido, Mauro, Claudio, Paolo, Francesco, Vasco, Athos,
    Elio, Lido, Otello, Fosco, Rolando, Walter, Ugo, Remo, Sandro, Giuliano, Armando, Enrico
""")
MALE_NAMES_MIDDLE = _words("""
    Andrea, Marco, Alessandro, Luca, Stefano, Massimo, Simone, Davide, Matteo, Fabio, Daniele,
    Riccardo, Francesco, Federico, Michele, Emanuele, Cristiano, Nicola, Roberto, Paolo,
    Alessio, Gianluca, Maurizio, Fabrizio, Lorenzo, Filippo, Giacomo, Jacopo, Marcello,
    Leonardo, Antonio, Giovanni, Enrico, Tommaso, Valerio, Gabriele, Diego, Samuele, Mirko
""")
MALE_NAMES_YOUNG = _words("""
    Leonardo, Francesco, Tommaso, Lorenzo, Edoardo, Gabriele, Mattia, Riccardo, Alessandro,
    Pietro, Diego, Filippo, Niccolò, Samuele, Giacomo, Jacopo, Elia, Christian, Matteo, Andrea,
    Emanuele, Federico, Davide, Giulio, Nicolò, Michele, Enea, Cesare, Achille, Brando, Ettore,
    Giovanni, Luca, Marco, Simone, Alessio, Daniele, Vittorio, Thomas, Kevin
""")
FEMALE_NAMES_OLD = _words("""
    Maria, Anna, Giuseppina, Rosa, Franca, Giovanna, Luciana, Carla, Marisa, Graziella,
    Silvana, Paola, Gabriella, Rita, Lucia, Bruna, Loredana, Fiorella, Liliana, Rosanna, Ida,
    Vera, Nadia, Lina, Elda, Wanda, Iolanda, Marcella, Mirella, Adriana, Laura, Giuliana,
    Anna Maria, Maria Grazia, Daniela, Patrizia, Rossella, Mara, Ornella, Vanda, Tiziana
""")
FEMALE_NAMES_MIDDLE = _words("""
    Francesca, Chiara, Sara, Laura, Elena, Silvia, Valentina, Federica, Elisa, Monica, Barbara,
    Alessandra, Cristina, Simona, Roberta, Giulia, Martina, Ilaria, Veronica, Serena, Sabrina,
    Manuela, Michela, Stefania, Claudia, Francesca Romana, Erika, Jessica, Arianna, Irene,
    Benedetta, Eleonora, Caterina, Valeria, Alice, Marta, Sonia, Katia, Debora, Lisa
""")
FEMALE_NAMES_YOUNG = _words("""
    Sofia, Giulia, Aurora, Alice, Ginevra, Emma, Giorgia, Beatrice, Greta, Martina, Chiara,
    Anna, Vittoria, Ludovica, Matilde, Noemi, Gaia, Camilla, Bianca, Nicole, Sara, Rebecca,
    Elisa, Viola, Arianna, Azzurra, Asia, Mia, Irene, Margherita, Cecilia, Marta, Elena, Adele,
    Agnese, Diletta, Lucrezia, Nina, Carlotta, Bianca Maria
""")

# Common surnames of Tuscany and the coast, a few from the rest of Italy; earlier entries are
# drawn more often (Zipf-like), as in a real registry where a few surnames are everywhere.
SURNAMES = _words("""
    Rossi, Bianchi, Bini, Bartoli, Neri, Lenzi, Niccolini, Cecchi, Lazzerini, Fantozzi, Meucci,
    Bacci, Del Corso, Fontanelli, Paoli, Nardi, Giannini, Tognetti, Baldi, Frediani, Orsini,
    Pieri, Lemmi, Guidi, Ricci, Romani, Marchi, Benvenuti, Conti, Ceccarini, Bellini, Galli,
    Santini, Mazzoni, Giusti, Puccini, Bertini, Gori, Parenti, Lupi, Landi, Bonsignori, Cioni,
    Fabbri, Mancini, Martini, Moretti, Barsotti, Batini, Bernardini, Bertelli, Biagini,
    Bonciani, Borghini, Braccini, Bracci, Bruni, Buonaguidi, Burgalassi, Cappelli, Carli,
    Casini, Castellani, Cavallini, Cerri, Chelli, Ciampi, Cipriani, Colombini, Corsi, Costa,
    Dal Canto, Danesi, De Luca, Del Vivo, Della Maggiore, Dini, Doveri, Falleni, Fanucci,
    Favilla, Ferrari, Ferretti, Filippi, Fiorentini, Franchini, Frangioni, Gabbrielli,
    Gambini, Gasperini, Gemignani, Ghelardini, Giacomelli, Giorgetti, Grassi, Guarguaglini,
    Innocenti, Lami, Leoni, Lorenzini, Lucchesi, Luperini, Macchi, Maestrini, Malfatti,
    Mannucci, Marconcini, Mariani, Masi, Matteoli, Menicagli, Micheli, Montanelli, Morelli,
    Nencini, Nesti, Nocchi, Orlandini, Pacini, Pardini, Pasquinelli, Pellegrini, Pierini,
    Pierotti, Pistolesi, Poli, Pratali, Profeti, Raffaelli, Ramacciotti, Ribechini, Righi,
    Rocchi, Rosellini, Sabatini, Salvadori, Salvini, Sardelli, Scarpellini, Sorrentino,
    Spagnoli, Stefanini, Taddei, Tamberi, Tinacci, Tofanelli, Tognoni, Tommasi, Tonelli,
    Ulivieri, Valori, Vannucci, Venturi, Vestri, Vitali, Zucchelli, Esposito, Russo, Romano,
    Colombo, Bruno, Gallo, Greco, Marino, Lombardi, Barbieri, Rinaldi, Caruso, Ferrara,
    Giordano, Rizzo, Leone, Longo, Gentile, Serra, Messina, Amato, Vitale, Palumbo, Sanna,
    Piras, Fiore, De Santis, Coppola, D'Angelo, Pagano, Cirillo, Mele, Marras, Cocco, Musumeci,
    Modigliani, Nahum, Attias, Franco, Sonnino, Sadun, Ottolenghi
""")


class Nationality(NamedTuple):
    """A foreign community of the town: where its people are born, and what they are called."""

    country: str  # Italian name, as in the list of foreign states of the codice fiscale
    iso: str
    male: tuple[str, ...]
    female: tuple[str, ...]
    surnames: tuple[str, ...]
    weight: int


# The largest foreign communities of a Tuscan port city, roughly by size.
NATIONALITIES = (
    Nationality(
        "Romania", "RO",
        _words("Andrei, Alexandru, Ionut, Mihai, Florin, Gheorghe, Stefan, Cristian, Adrian"),
        _words("Ioana, Elena, Maria, Andreea, Mihaela, Gabriela, Alina, Daniela, Cristina"),
        _words("Popescu, Ionescu, Popa, Dumitru, Stan, Stoica, Gheorghe, Matei, Constantin"),
        25,
    ),
    Nationality(
        "Albania", "AL",
        _words("Arben, Ardit, Besnik, Gentian, Ilir, Klodian, Erion, Altin, Endri, Dritan"),
        _words("Anila, Blerina, Elona, Entela, Klaudia, Mirela, Valbona, Ermira, Jonida"),
        _words("Hoxha, Shehu, Kola, Gjoka, Leka, Dervishi, Hysa, Marku, Basha, Cela"),
        18,
    ),
    Nationality(
        "Senegal", "SN",
        _words("Mamadou, Moussa, Ousmane, Cheikh, Ibrahima, Abdoulaye, Modou, Serigne"),
        _words("Fatou, Awa, Aminata, Mariama, Khady, Ndeye, Coumba, Astou"),
        _words("Diop, Ndiaye, Fall, Sow, Gueye, Diallo, Sarr, Mbaye, Faye, Seck"),
        10,
    ),
    Nationality(
        "Ucraina", "UA",
        _words("Oleksandr, Andriy, Serhiy, Mykola, Volodymyr, Dmytro, Ivan, Taras"),
        _words("Olena, Natalia, Iryna, Oksana, Tetiana, Svitlana, Halyna, Yulia"),
        _words("Shevchenko, Kovalenko, Bondarenko, Tkachenko, Kravchenko, Melnyk, Boyko"),
        10,
    ),
    Nationality(
        "Marocco", "MA",
        _words("Mohamed, Youssef, Ahmed, Said, Rachid, Karim, Hassan, Abdelkader, Mustapha"),
        _words("Fatima, Khadija, Amina, Naima, Samira, Malika, Latifa, Zineb, Hanane"),
        _words("El Amrani, Benali, Bennani, Alaoui, Chraibi, El Idrissi, Tazi, Berrada"),
        9,
    ),
    Nationality(
        "Perù", "PE",
        _words("Luis, Carlos, Jorge, Juan, José, Miguel, Víctor, César"),
        _words("Rosa, Carmen, María, Ana, Gladys, Milagros, Elizabeth, Patricia"),
        _words("Quispe, Flores, Huamán, Mamani, Rojas, Vásquez, Chávez, Ramírez"),
        7,
    ),
    Nationality(
        "Sri Lanka", "LK",
        _words("Nuwan, Chaminda, Ruwan, Kasun, Sampath, Pradeep, Lasantha"),
        _words("Nadeesha, Dilani, Chathurika, Sanduni, Anusha, Thilini, Kumari"),
        _words("Perera, Fernando, Silva, Jayasinghe, Bandara, Wickramasinghe, Dissanayake"),
        5,
    ),
    Nationality(
        "Repubblica Popolare Cinese", "CN",
        _words("Wei, Jun, Hao, Lei, Jian, Ming, Qiang, Yong"),
        _words("Li, Hua, Mei, Xiu, Ying, Jing, Yan, Fang"),
        _words("Wang, Zhang, Chen, Liu, Hu, Zhou, Lin, Ye, Huang"),
        5,
    ),
    Nationality(
        "Filippine", "PH",
        _words("Jose, Mark, John Paul, Rodel, Ramon, Renato, Jerome"),
        _words("Maricel, Rowena, Jocelyn, Marilou, Lovely, Analyn, Cristina"),
        _words("Santos, Reyes, Cruz, Bautista, Garcia, Mendoza, Dela Cruz, Villanueva"),
        4,
    ),
    Nationality(
        "Nigeria", "NG",
        _words("Chinedu, Emeka, Oluwaseun, Ikenna, Tunde, Uche, Babatunde"),
        _words("Ngozi, Chioma, Funmilayo, Adaeze, Blessing, Yetunde, Nkechi"),
        _words("Okafor, Adeyemi, Okonkwo, Eze, Nwosu, Adebayo, Obi, Oladipo"),
        4,
    ),
    Nationality(
        "Bangladesh", "BD",
        _words("Mohammad, Rahim, Karim, Hossain, Rafiq, Jahid, Shahid"),
        _words("Fatema, Nasrin, Shirin, Rokeya, Sabina, Taslima, Ayesha"),
        _words("Rahman, Islam, Hossain, Ahmed, Uddin, Akter, Chowdhury, Miah"),
        3,
    ),
)  # fmt: skip


# --- Birth places -------------------------------------------------------------------------------
# Comuni that existed under the same cadastral code for the whole of the last century, so that
# any birth date gives a valid codice fiscale. "Name, PR" is how python-codicefiscale finds them.
COMUNI_TUSCANY = _words("""
    Pisa; PI, Collesalvetti; LI, Rosignano Marittimo; LI, Cecina; LI, Piombino; LI,
    Firenze; FI, Lucca; LU, Grosseto; GR, Portoferraio; LI, Pontedera; PI, Siena; SI,
    Massa; MS, Viareggio; LU, Campiglia Marittima; LI, San Vincenzo; LI, Castagneto Carducci; LI,
    Arezzo; AR, Pistoia; PT, Prato; PO, Empoli; FI, Volterra; PI, Cascina; PI, Carrara; MS,
    San Giuliano Terme; PI, Capraia Isola; LI
""")
COMUNI_ITALY = _words("""
    Napoli; NA, Roma; RM, Palermo; PA, Genova; GE, Milano; MI, Torino; TO, Bari; BA,
    Catania; CT, Reggio di Calabria; RC, Cagliari; CA, Taranto; TA, Salerno; SA, Messina; ME,
    Caserta; CE, Foggia; FG, Cosenza; CS, La Spezia; SP, Bologna; BO, Sassari; SS,
    Avellino; AV, Agrigento; AG, Trapani; TP, Venezia; VE, Verona; VR, Ancona; AN, Perugia; PG,
    Pescara; PE, Lecce; LE, Brindisi; BR, Catanzaro; CZ, Siracusa; SR, Potenza; PZ
""")
# Italians born abroad: children of the emigration of the last century.
COUNTRIES_OF_EMIGRATION = _words(
    "Svizzera, Germania, Francia, Belgio, Argentina, Venezuela, Brasile"
)


def comune_pairs(items: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple(tuple(part.strip() for part in item.split(";")) for item in items)  # type: ignore[misc]


# --- Streets --------------------------------------------------------------------------------
class RealStreet(NamedTuple):
    """A real street of Livorno, placed roughly where it is (demo positions, not survey data)."""

    street_type: str
    name: str
    latitude: float
    longitude: float
    bearing: float  # degrees from north, the direction the numbers grow
    length_m: int
    zone: str


# The streets the offices in the seeds stand on come first; the rest give the demo a familiar
# face. Positions are approximate, taken by eye from a map.
REAL_STREETS = (
    RealStreet("Piazza", "del Municipio", 43.5516, 10.3087, 90, 80, "Centro"),
    RealStreet("Piazza", "Giuseppe Saragat", 43.5668, 10.3262, 0, 90, "Corea"),
    RealStreet("Via", "Niccolò Machiavelli", 43.5190, 10.3268, 120, 600, "Ardenza"),
    RealStreet("Via", "Grande", 43.5505, 10.3110, 75, 700, "Centro"),
    RealStreet("Viale", "Italia", 43.5300, 10.3090, 160, 2500, "San Jacopo"),
    RealStreet("Scali", "d'Azeglio", 43.5485, 10.3135, 170, 450, "Centro"),
    RealStreet("Scali", "del Refugio", 43.5540, 10.3080, 30, 250, "Venezia"),
    RealStreet("Scali", "Olandesi", 43.5545, 10.3125, 90, 250, "Venezia"),
    RealStreet("Scali", "delle Cantine", 43.5530, 10.3055, 0, 200, "Venezia"),
    RealStreet("Scali", "Manzoni", 43.5460, 10.3140, 180, 300, "Centro"),
    RealStreet("Corso", "Amedeo", 43.5530, 10.3175, 70, 700, "Centro"),
    RealStreet("Corso", "Giuseppe Mazzini", 43.5450, 10.3160, 60, 800, "Centro"),
    RealStreet("Via", "Cairoli", 43.5490, 10.3140, 80, 350, "Centro"),
    RealStreet("Via", "Ricasoli", 43.5465, 10.3160, 10, 600, "Centro"),
    RealStreet("Viale", "Giosuè Carducci", 43.5530, 10.3240, 70, 900, "Stazione"),
    RealStreet("Piazza", "della Repubblica", 43.5520, 10.3145, 0, 200, "Centro"),
    RealStreet("Piazza", "Attias", 43.5475, 10.3175, 0, 80, "Centro"),
    RealStreet("Piazza", "Cavour", 43.5470, 10.3130, 0, 100, "Centro"),
    RealStreet("Borgo", "dei Cappuccini", 43.5390, 10.3140, 160, 900, "Borgo Cappuccini"),
    RealStreet("Via", "dell'Ardenza", 43.5225, 10.3350, 240, 1200, "Ardenza"),
    RealStreet("Viale", "di Antignano", 43.5040, 10.3280, 150, 1000, "Antignano"),
    RealStreet("Via", "di Montenero", 43.5050, 10.3450, 130, 2200, "Montenero"),
    RealStreet("Via", "del Littorale", 43.4620, 10.3700, 150, 900, "Quercianella"),
    RealStreet("Via", "di Salviano", 43.5320, 10.3400, 110, 1200, "Salviano"),
    RealStreet("Via", "di Popogna", 43.5280, 10.3950, 80, 2500, "Valle Benedetta"),
)

STREET_PEOPLE = _words("""
    Giuseppe Garibaldi, Giuseppe Mazzini, Camillo Benso di Cavour, Vittorio Emanuele II,
    Dante Alighieri, Francesco Petrarca, Giovanni Boccaccio, Alessandro Manzoni,
    Giacomo Leopardi, Ugo Foscolo, Giosuè Carducci, Giovanni Pascoli, Gabriele D'Annunzio,
    Galileo Galilei, Leonardo da Vinci, Michelangelo Buonarroti, Raffaello Sanzio,
    Amedeo Modigliani, Pietro Mascagni, Giovanni Fattori, Carlo Azeglio Ciampi,
    Francesco Domenico Guerrazzi, Carlo Bini, Enrico Mayer, Giovanni Marradi,
    Sandro Pertini, Luigi Einaudi, Enrico De Nicola, Alcide De Gasperi, Antonio Gramsci,
    Giacomo Matteotti, Piero Gobetti, Fratelli Rosselli, Aldo Moro, Giovanni Amendola,
    Filippo Turati, Nazario Sauro, Cesare Battisti, Goffredo Mameli, Ugo Bassi,
    Anita Garibaldi, Grazia Deledda, Maria Montessori, Rita Levi Montalcini, Eleonora Duse,
    Enrico Fermi, Guglielmo Marconi, Alessandro Volta, Antonio Meucci, Evangelista Torricelli,
    Giuseppe Verdi, Giacomo Puccini, Gioachino Rossini, Vincenzo Bellini, Gaetano Donizetti,
    Antonio Vivaldi, Luigi Boccherini, Niccolò Paganini, Arturo Toscanini, Giuseppe Parini,
    Carlo Goldoni, Vittorio Alfieri, Ludovico Ariosto, Torquato Tasso, Luigi Pirandello,
    Italo Svevo, Giovanni Verga, Cesare Pavese, Italo Calvino, Eugenio Montale,
    Salvatore Quasimodo, Giuseppe Ungaretti, Pier Paolo Pasolini, Natalia Ginzburg,
    Elsa Morante, Primo Levi, Giorgio La Pira, Don Lorenzo Milani, Don Giovanni Minzoni,
    Cosimo de' Medici, Ferdinando I de' Medici, Lorenzo il Magnifico, Pietro Leopoldo,
    Francesco Ferrucci, Pietro Tacca, Bernardo Buontalenti, Giovanni Bovio, Ernesto Rossi,
    Ilio Barontini, Oreste Benvenuti, Ernesto Nathan, Sebastiano Caboto, Amerigo Vespucci,
    Cristoforo Colombo, Marco Polo, Andrea Doria, Francesco Crispi, Agostino Depretis,
    Benedetto Croce, Gaetano Salvemini, Luigi Sturzo, Giuseppe Di Vittorio, Bruno Buozzi,
    Giovanni Falcone, Paolo Borsellino, Carlo Alberto dalla Chiesa, Piero Calamandrei,
    Tina Anselmi, Nilde Iotti, Teresa Mattei, Lina Merlin, Matilde Serao, Sibilla Aleramo,
    Artemisia Gentileschi, Caterina de' Medici, Santa Giulia, San Francesco, Santa Caterina,
    San Jacopo, Sant'Andrea, San Giovanni, Santa Lucia, San Marco, San Carlo, Fratelli Bandiera,
    Fratelli Cervi, Silvio Pellico, Ippolito Nievo, Federico Confalonieri, Ciro Menotti,
    Luigi Settembrini, Carlo Pisacane, Giuseppe Montanelli, Bettino Ricasoli, Carlo Cattaneo,
    Daniele Manin, Ugo La Malfa, Enrico Berlinguer, Giorgio Amendola, Corrado Alvaro
""")
STREET_PLACES = _words("""
    Firenze, Pisa, Lucca, Siena, Arezzo, Pistoia, Prato, Grosseto, Massa, Carrara, Roma,
    Milano, Torino, Genova, Venezia, Napoli, Palermo, Bologna, Trieste, Trento, Bari, Cagliari,
    Ancona, Perugia, Aosta, Potenza, Catanzaro, Campobasso, L'Aquila, Sassari, Fiume, Zara,
    Pola, Gorizia, Volterra, San Gimignano, Piombino, Cecina, Portoferraio, Capraia, Gorgona,
    Elba, Pianosa, Montecristo, Corsica, Sardegna, Sicilia, Toscana, Liguria, Umbria,
    Calabria, Puglia, Campania, Lombardia, Piemonte, Veneto, Emilia, Romagna, Marche,
    Abruzzo, Molise, Basilicata, Friuli, Valtellina, Maremma, Versilia, Garfagnana, Casentino,
    Mugello, Chianti, Lunigiana, Meloria, Calafuria, Montenero, Salviano, Coteto, Ardenza,
    Antignano, Quercianella, Collinaia, Banditella, Scopaia, Limoncino, Castellaccio
""")
STREET_DATES = _words("""
    XX Settembre, IV Novembre, XXV Aprile, Due Giugno, Primo Maggio, XXIV Maggio,
    VIII Settembre, XI Febbraio, XXIX Maggio, XIX Luglio, III Novembre, VI Dicembre
""")
# Names that carry their own article and read as a phrase: "Via della Libertà".
STREET_PHRASES = _words("""
    della Libertà, della Pace, della Repubblica, della Costituzione, della Resistenza,
    dei Mille, del Mare, del Porto, del Faro, del Fanale, della Fortezza, delle Grazie,
    del Molo, della Madonna, della Rondinella, dei Pescatori, dei Navicelli, dei Funaioli,
    dei Calafati, dei Bottai, dei Cordai, del Seminario, della Pergola, del Pallone,
    delle Acciughe, del Giardino, delle Sorgenti, del Castello, degli Ulivi, dei Pini,
    dei Lecci, delle Querce, dei Mirti, delle Ginestre, dei Cipressi, delle Palme,
    dei Glicini, delle Viole, dei Gigli, delle Rose, della Stazione, dell'Ospedale,
    del Lavoro, dell'Industria, dei Bagni, della Spiaggia, delle Sirene, del Tirreno
""")


class Zone(NamedTuple):
    """A neighbourhood: its centre, how far its streets spread, and its share of the people."""

    name: str
    latitude: float
    longitude: float
    spread_m: int
    weight: float
    postal_code: str  # plausible, not the postal service's own map (demo data)


ZONES = (
    Zone("Centro", 43.5500, 10.3125, 450, 10, "57123"),
    Zone("Venezia", 43.5535, 10.3075, 250, 3, "57123"),
    Zone("Pontino", 43.5570, 10.3160, 350, 4, "57123"),
    Zone("Fiorentina", 43.5600, 10.3240, 450, 5, "57121"),
    Zone("Stazione", 43.5540, 10.3300, 450, 6, "57122"),
    Zone("Shangai", 43.5690, 10.3210, 350, 4, "57121"),
    Zone("Corea", 43.5650, 10.3300, 350, 4, "57121"),
    Zone("Torretta", 43.5610, 10.3380, 400, 4, "57121"),
    Zone("Sorgenti", 43.5530, 10.3430, 450, 5, "57122"),
    Zone("Coteto", 43.5430, 10.3390, 450, 5, "57124"),
    Zone("Colline", 43.5410, 10.3300, 400, 4, "57124"),
    Zone("Borgo Cappuccini", 43.5400, 10.3145, 350, 5, "57125"),
    Zone("San Jacopo", 43.5350, 10.3120, 350, 4, "57125"),
    Zone("Salviano", 43.5300, 10.3420, 450, 5, "57124"),
    Zone("La Rosa", 43.5340, 10.3530, 450, 4, "57124"),
    Zone("Scopaia", 43.5230, 10.3500, 450, 3, "57126"),
    Zone("Ardenza", 43.5200, 10.3260, 500, 7, "57127"),
    Zone("Banditella", 43.5120, 10.3370, 450, 4, "57128"),
    Zone("Antignano", 43.5000, 10.3330, 450, 4, "57128"),
    Zone("Montenero", 43.4900, 10.3600, 550, 2, "57128"),
    Zone("Castellaccio", 43.4930, 10.3820, 400, 0.4, "57128"),
    Zone("Quercianella", 43.4600, 10.3740, 300, 1, "57128"),
    Zone("Limoncino", 43.5160, 10.3880, 400, 0.5, "57128"),
    Zone("Valle Benedetta", 43.5300, 10.4150, 450, 0.5, "57128"),
)

# The coastline from south to north as (latitude, easternmost longitude of the sea), taken by eye
# from a map: a demo point west of it would stand in the water, so it is moved inland.
COASTLINE = (
    (43.4350, 10.3930),
    (43.4450, 10.3850),
    (43.4586, 10.3665),
    (43.4740, 10.3340),
    (43.4850, 10.3290),
    (43.4970, 10.3225),
    (43.5070, 10.3195),
    (43.5180, 10.3155),
    (43.5280, 10.3090),
    (43.5370, 10.3020),
    (43.5480, 10.2990),
    (43.5600, 10.3000),
    (43.6050, 10.2950),
)
