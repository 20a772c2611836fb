"""Street names, neighbourhoods and the coastline of the demo town."""

from __future__ import annotations

from typing import NamedTuple

from sportello.core.demo import words


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

STREET_PEOPLE = words("""
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
STREET_PLACES = words("""
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
STREET_DATES = words("""
    XX Settembre, IV Novembre, XXV Aprile, Due Giugno, Primo Maggio, XXIV Maggio,
    VIII Settembre, XI Febbraio, XXIX Maggio, XIX Luglio, III Novembre, VI Dicembre
""")
# Names that carry their own article and read as a phrase: "Via della Libertà".
STREET_PHRASES = words("""
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
