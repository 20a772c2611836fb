"""Ready texts for the recurring alerts: allerta meteo gialla, arancione and rossa, evacuation,
tap water not drinkable, end of the emergency. Operators adapt them; the per-channel texts are
derived from these when an alert is composed. Written for any municipality: no names, no
numbers."""

from django.db import migrations

TEMPLATES = [
    {
        "name": "Allerta meteo gialla",
        "position": 10,
        "event": "Allerta meteo gialla",
        "category": "Met",
        "urgency": "Future",
        "severity": "Moderate",
        "certainty": "Possible",
        "headline": "Allerta meteo gialla",
        "description": (
            "È stata emessa un'allerta meteo di codice giallo per il nostro territorio: sono "
            "possibili piogge forti, temporali o vento intenso, con allagamenti in alcune zone."
        ),
        "instruction": (
            "Segui gli aggiornamenti, evita le strade che si allagano di solito e fai attenzione "
            "quando ti sposti."
        ),
        "headline_en": "Yellow weather alert",
        "description_en": (
            "A yellow weather alert has been issued for our area: heavy rain, thunderstorms or "
            "strong wind are possible, with local flooding."
        ),
        "instruction_en": (
            "Follow the updates, avoid the roads that usually flood and take care when travelling."
        ),
    },
    {
        "name": "Allerta meteo arancione",
        "position": 20,
        "event": "Allerta meteo arancione",
        "category": "Met",
        "urgency": "Expected",
        "severity": "Severe",
        "certainty": "Likely",
        "headline": "Allerta meteo arancione",
        "description": (
            "È stata emessa un'allerta meteo di codice arancione per il nostro territorio: sono "
            "previste piogge molto forti e temporali, con possibili allagamenti e straripamenti "
            "di fossi e torrenti."
        ),
        "instruction": (
            "Non sostare vicino a fiumi e torrenti, non entrare in sottopassi, cantine e garage "
            "sotto il livello della strada, sposta l'auto dalle zone che si allagano ed esci "
            "solo se necessario."
        ),
        "headline_en": "Orange weather alert",
        "description_en": (
            "An orange weather alert has been issued for our area: very heavy rain and "
            "thunderstorms are expected, with possible flooding and overflowing streams."
        ),
        "instruction_en": (
            "Keep away from rivers and streams, do not enter underpasses, cellars or basement "
            "garages, move your car away from places that flood and go out only if you must."
        ),
    },
    {
        "name": "Allerta meteo rossa",
        "position": 30,
        "event": "Allerta meteo rossa",
        "category": "Met",
        "urgency": "Immediate",
        "severity": "Extreme",
        "certainty": "Likely",
        "headline": "Allerta meteo rossa",
        "description": (
            "È stata emessa un'allerta meteo di codice rosso per il nostro territorio: sono "
            "previsti fenomeni estremi, con pericolo di alluvioni e frane."
        ),
        "instruction": (
            "Resta in un luogo sicuro, ai piani alti se la tua casa è al piano terra o in una "
            "zona che si allaga. Non usare l'auto, stai lontano da fiumi, torrenti e sottopassi "
            "e segui le indicazioni della protezione civile."
        ),
        "headline_en": "Red weather alert",
        "description_en": (
            "A red weather alert has been issued for our area: extreme weather is expected, "
            "with danger of floods and landslides."
        ),
        "instruction_en": (
            "Stay somewhere safe, on an upper floor if you live at street level or in an area "
            "that floods. Do not drive, keep away from rivers, streams and underpasses and "
            "follow the instructions of the civil protection."
        ),
    },
    {
        "name": "Evacuazione",
        "position": 40,
        "event": "Evacuazione",
        "category": "Safety",
        "urgency": "Immediate",
        "severity": "Extreme",
        "certainty": "Observed",
        "headline": "Evacuazione: lascia subito la zona",
        "description": (
            "C'è un pericolo grave nella zona in cui abiti: la protezione civile ha disposto "
            "l'evacuazione."
        ),
        "instruction": (
            "Esci subito di casa con documenti, medicine e telefono. Chiudi gas e luce, non "
            "usare l'ascensore, aiuta chi è in difficoltà e segui le indicazioni del personale "
            "verso le aree di attesa."
        ),
        "headline_en": "Evacuation: leave the area now",
        "description_en": (
            "There is serious danger where you live: the civil protection has ordered an "
            "evacuation."
        ),
        "instruction_en": (
            "Leave home now with your documents, medicines and phone. Turn off gas and "
            "electricity, do not use lifts, help those in difficulty and follow the staff to "
            "the assembly areas."
        ),
    },
    {
        "name": "Acqua non potabile",
        "position": 50,
        "event": "Acqua non potabile",
        "category": "Health",
        "urgency": "Immediate",
        "severity": "Moderate",
        "certainty": "Observed",
        "headline": "Acqua del rubinetto non potabile",
        "description": (
            "Nella zona indicata l'acqua dell'acquedotto non è adatta da bere, secondo i "
            "controlli sulla sua qualità."
        ),
        "instruction": (
            "Non bere l'acqua del rubinetto e non usarla per cucinare o per lavare frutta e "
            "verdura: usa acqua in bottiglia finché un nuovo avviso non dice che è di nuovo "
            "potabile."
        ),
        "headline_en": "Tap water not safe to drink",
        "description_en": (
            "In the area concerned the mains water is not fit to drink, according to the "
            "checks on its quality."
        ),
        "instruction_en": (
            "Do not drink tap water or use it for cooking or washing fruit and vegetables: use "
            "bottled water until a new notice says it is safe again."
        ),
    },
    {
        "name": "Fine dell'emergenza",
        "position": 60,
        "event": "Fine dell'emergenza",
        "category": "Safety",
        "urgency": "Past",
        "severity": "Minor",
        "certainty": "Observed",
        "headline": "Fine dell'emergenza",
        "description": "L'emergenza annunciata nei messaggi precedenti è finita.",
        "instruction": (
            "Puoi tornare alle attività di tutti i giorni. Nelle zone colpite segui ancora le "
            "indicazioni della protezione civile."
        ),
        "headline_en": "End of the emergency",
        "description_en": "The emergency announced in the previous messages is over.",
        "instruction_en": (
            "You can go back to your daily activities. In the affected areas keep following "
            "the instructions of the civil protection."
        ),
    },
]


def templates_create(apps, schema_editor):
    AlertTemplate = apps.get_model("alerts", "AlertTemplate")
    for values in TEMPLATES:
        fields = dict(values)
        AlertTemplate.objects.get_or_create(name=fields.pop("name"), defaults=fields)


def templates_remove(apps, schema_editor):
    AlertTemplate = apps.get_model("alerts", "AlertTemplate")
    AlertTemplate.objects.filter(name__in=[values["name"] for values in TEMPLATES]).delete()


class Migration(migrations.Migration):
    dependencies = [("alerts", "0005_alerttemplate_alert")]

    operations = [migrations.RunPython(templates_create, templates_remove)]
