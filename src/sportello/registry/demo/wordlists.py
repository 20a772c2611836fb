"""Word lists for the demo town: first names, surnames, street names, neighbourhoods, birth
places. Invented or common public words only, no real person's record."""

from __future__ import annotations

from typing import NamedTuple

from sportello.core.demo import words

# --- First names, by the generation that gave them --------------------------------------------
# Born before about 1960, between 1960 and 1990, and after 1990: the demo picks from the lists
# whose era covers the birth year, so grandparents are not called Ginevra.
MALE_NAMES_OLD = words("""
    Giuseppe, Giovanni, Antonio, Mario, Luigi, Franco, Bruno, Piero, Renato, Sergio, Giorgio,
    Carlo, Enzo, Aldo, Gino, Alberto, Luciano, Vittorio, Romano, Dino, Silvano, Ivo, Angelo,
    Roberto, Giancarlo, Umberto, Alfredo, Guido, Mauro, Claudio, Paolo, Francesco, Vasco, Athos,
    Elio, Lido, Otello, Fosco, Rolando, Walter, Ugo, Remo, Sandro, Giuliano, Armando, Enrico
""")
MALE_NAMES_MIDDLE = words("""
    Andrea, Marco, Alessandro, Luca, Stefano, Massimo, Simone, Davide, Matteo, Fabio, Daniele,
    Riccardo, Francesco, Federico, Michele, Emanuele, Cristiano, Nicola, Roberto, Paolo,
    Alessio, Gianluca, Maurizio, Fabrizio, Lorenzo, Filippo, Giacomo, Jacopo, Marcello,
    Leonardo, Antonio, Giovanni, Enrico, Tommaso, Valerio, Gabriele, Diego, Samuele, Mirko
""")
MALE_NAMES_YOUNG = words("""
    Leonardo, Francesco, Tommaso, Lorenzo, Edoardo, Gabriele, Mattia, Riccardo, Alessandro,
    Pietro, Diego, Filippo, Niccolò, Samuele, Giacomo, Jacopo, Elia, Christian, Matteo, Andrea,
    Emanuele, Federico, Davide, Giulio, Nicolò, Michele, Enea, Cesare, Achille, Brando, Ettore,
    Giovanni, Luca, Marco, Simone, Alessio, Daniele, Vittorio, Thomas, Kevin
""")
FEMALE_NAMES_OLD = words("""
    Maria, Anna, Giuseppina, Rosa, Franca, Giovanna, Luciana, Carla, Marisa, Graziella,
    Silvana, Paola, Gabriella, Rita, Lucia, Bruna, Loredana, Fiorella, Liliana, Rosanna, Ida,
    Vera, Nadia, Lina, Elda, Wanda, Iolanda, Marcella, Mirella, Adriana, Laura, Giuliana,
    Anna Maria, Maria Grazia, Daniela, Patrizia, Rossella, Mara, Ornella, Vanda, Tiziana
""")
FEMALE_NAMES_MIDDLE = words("""
    Francesca, Chiara, Sara, Laura, Elena, Silvia, Valentina, Federica, Elisa, Monica, Barbara,
    Alessandra, Cristina, Simona, Roberta, Giulia, Martina, Ilaria, Veronica, Serena, Sabrina,
    Manuela, Michela, Stefania, Claudia, Francesca Romana, Erika, Jessica, Arianna, Irene,
    Benedetta, Eleonora, Caterina, Valeria, Alice, Marta, Sonia, Katia, Debora, Lisa
""")
FEMALE_NAMES_YOUNG = words("""
    Sofia, Giulia, Aurora, Alice, Ginevra, Emma, Giorgia, Beatrice, Greta, Martina, Chiara,
    Anna, Vittoria, Ludovica, Matilde, Noemi, Gaia, Camilla, Bianca, Nicole, Sara, Rebecca,
    Elisa, Viola, Arianna, Azzurra, Asia, Mia, Irene, Margherita, Cecilia, Marta, Elena, Adele,
    Agnese, Diletta, Lucrezia, Nina, Carlotta, Bianca Maria
""")

# Common surnames of Tuscany and the coast, a few from the rest of Italy; earlier entries are
# drawn more often (Zipf-like), as in a real registry where a few surnames are everywhere.
SURNAMES = words("""
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
        words("Andrei, Alexandru, Ionut, Mihai, Florin, Gheorghe, Stefan, Cristian, Adrian"),
        words("Ioana, Elena, Maria, Andreea, Mihaela, Gabriela, Alina, Daniela, Cristina"),
        words("Popescu, Ionescu, Popa, Dumitru, Stan, Stoica, Gheorghe, Matei, Constantin"),
        25,
    ),
    Nationality(
        "Albania", "AL",
        words("Arben, Ardit, Besnik, Gentian, Ilir, Klodian, Erion, Altin, Endri, Dritan"),
        words("Anila, Blerina, Elona, Entela, Klaudia, Mirela, Valbona, Ermira, Jonida"),
        words("Hoxha, Shehu, Kola, Gjoka, Leka, Dervishi, Hysa, Marku, Basha, Cela"),
        18,
    ),
    Nationality(
        "Senegal", "SN",
        words("Mamadou, Moussa, Ousmane, Cheikh, Ibrahima, Abdoulaye, Modou, Serigne"),
        words("Fatou, Awa, Aminata, Mariama, Khady, Ndeye, Coumba, Astou"),
        words("Diop, Ndiaye, Fall, Sow, Gueye, Diallo, Sarr, Mbaye, Faye, Seck"),
        10,
    ),
    Nationality(
        "Ucraina", "UA",
        words("Oleksandr, Andriy, Serhiy, Mykola, Volodymyr, Dmytro, Ivan, Taras"),
        words("Olena, Natalia, Iryna, Oksana, Tetiana, Svitlana, Halyna, Yulia"),
        words("Shevchenko, Kovalenko, Bondarenko, Tkachenko, Kravchenko, Melnyk, Boyko"),
        10,
    ),
    Nationality(
        "Marocco", "MA",
        words("Mohamed, Youssef, Ahmed, Said, Rachid, Karim, Hassan, Abdelkader, Mustapha"),
        words("Fatima, Khadija, Amina, Naima, Samira, Malika, Latifa, Zineb, Hanane"),
        words("El Amrani, Benali, Bennani, Alaoui, Chraibi, El Idrissi, Tazi, Berrada"),
        9,
    ),
    Nationality(
        "Perù", "PE",
        words("Luis, Carlos, Jorge, Juan, José, Miguel, Víctor, César"),
        words("Rosa, Carmen, María, Ana, Gladys, Milagros, Elizabeth, Patricia"),
        words("Quispe, Flores, Huamán, Mamani, Rojas, Vásquez, Chávez, Ramírez"),
        7,
    ),
    Nationality(
        "Sri Lanka", "LK",
        words("Nuwan, Chaminda, Ruwan, Kasun, Sampath, Pradeep, Lasantha"),
        words("Nadeesha, Dilani, Chathurika, Sanduni, Anusha, Thilini, Kumari"),
        words("Perera, Fernando, Silva, Jayasinghe, Bandara, Wickramasinghe, Dissanayake"),
        5,
    ),
    Nationality(
        "Repubblica Popolare Cinese", "CN",
        words("Wei, Jun, Hao, Lei, Jian, Ming, Qiang, Yong"),
        words("Li, Hua, Mei, Xiu, Ying, Jing, Yan, Fang"),
        words("Wang, Zhang, Chen, Liu, Hu, Zhou, Lin, Ye, Huang"),
        5,
    ),
    Nationality(
        "Filippine", "PH",
        words("Jose, Mark, John Paul, Rodel, Ramon, Renato, Jerome"),
        words("Maricel, Rowena, Jocelyn, Marilou, Lovely, Analyn, Cristina"),
        words("Santos, Reyes, Cruz, Bautista, Garcia, Mendoza, Dela Cruz, Villanueva"),
        4,
    ),
    Nationality(
        "Nigeria", "NG",
        words("Chinedu, Emeka, Oluwaseun, Ikenna, Tunde, Uche, Babatunde"),
        words("Ngozi, Chioma, Funmilayo, Adaeze, Blessing, Yetunde, Nkechi"),
        words("Okafor, Adeyemi, Okonkwo, Eze, Nwosu, Adebayo, Obi, Oladipo"),
        4,
    ),
    Nationality(
        "Bangladesh", "BD",
        words("Mohammad, Rahim, Karim, Hossain, Rafiq, Jahid, Shahid"),
        words("Fatema, Nasrin, Shirin, Rokeya, Sabina, Taslima, Ayesha"),
        words("Rahman, Islam, Hossain, Ahmed, Uddin, Akter, Chowdhury, Miah"),
        3,
    ),
)  # fmt: skip


# --- Birth places -------------------------------------------------------------------------------
# Comuni that existed under the same cadastral code for the whole of the last century, so that
# any birth date gives a valid codice fiscale. "Name, PR" is how python-codicefiscale finds them.
COMUNI_TUSCANY = words("""
    Pisa; PI, Collesalvetti; LI, Rosignano Marittimo; LI, Cecina; LI, Piombino; LI,
    Firenze; FI, Lucca; LU, Grosseto; GR, Portoferraio; LI, Pontedera; PI, Siena; SI,
    Massa; MS, Viareggio; LU, Campiglia Marittima; LI, San Vincenzo; LI, Castagneto Carducci; LI,
    Arezzo; AR, Pistoia; PT, Prato; PO, Empoli; FI, Volterra; PI, Cascina; PI, Carrara; MS,
    San Giuliano Terme; PI, Capraia Isola; LI
""")
COMUNI_ITALY = words("""
    Napoli; NA, Roma; RM, Palermo; PA, Genova; GE, Milano; MI, Torino; TO, Bari; BA,
    Catania; CT, Reggio di Calabria; RC, Cagliari; CA, Taranto; TA, Salerno; SA, Messina; ME,
    Caserta; CE, Foggia; FG, Cosenza; CS, La Spezia; SP, Bologna; BO, Sassari; SS,
    Avellino; AV, Agrigento; AG, Trapani; TP, Venezia; VE, Verona; VR, Ancona; AN, Perugia; PG,
    Pescara; PE, Lecce; LE, Brindisi; BR, Catanzaro; CZ, Siracusa; SR, Potenza; PZ
""")
# Italians born abroad: children of the emigration of the last century.
COUNTRIES_OF_EMIGRATION = words(
    "Svizzera, Germania, Francia, Belgio, Argentina, Venezuela, Brasile"
)


def comune_pairs(items: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    return tuple(tuple(part.strip() for part in item.split(";")) for item in items)  # type: ignore[misc]
