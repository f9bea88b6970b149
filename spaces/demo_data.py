"""The Touraine demo data as plain lists and dicts, loaded by ``spaces.demo``.

Places are an offline-geocoder query (``place``) and an offset in metres north and east of the
point the geocoder returns (the town hall), so pins land in plausible streets. Prices are in cents,
TTC; None means "not offered at that rate". Dates move with today (see ``spaces.demo``):
``("days", 0)`` is today, ``("month_start", 1)`` the first day of next month, ``("years", 4)``
today in four years, ``("on", 8, 31, 2)`` the 31st of August two years from now. Opening hours
are local, per weekday ("mon-fri", "sat", "tue"…). Closures recur yearly: the next one that has
not ended yet is used. ``booked_days`` (21 by default) is how many coming days the desks of a place
are partly booked. Phone numbers are in a range ARCEP reserves for fiction (02 61 91 xx xx).
"""

from __future__ import annotations

# (e-mail, name, locale)
PEOPLE = [
    ("camille.martin@example.org", "Camille Martin", "fr"),
    ("hugo.bernard@example.org", "Hugo Bernard", "fr"),
    ("accueil@la-cantine-tours.example.org", "Léa Petit (La Cantine)", "fr"),
    ("patrimoine@mairie-loches.example.org", "Service patrimoine de Loches", "fr"),
    ("rh@touraine-logistique.example.org", "Nadia Roux (RH)", "en"),
    ("batiments@ville-chinon.example.org", "Service des bâtiments de Chinon", "fr"),
    ("tanneurs@crous-tours.example.org", "Julien Moreau (Résidence Les Tanneurs)", "fr"),
    ("mediatheque@joue-les-tours.example.org", "Claire Dubois (Médiathèque)", "fr"),
    ("bonjour@atelier-plumereau.example.org", "Sarah Lefèvre (L'Atelier Plumereau)", "fr"),
    ("contact@fabrique-bretonnieres.example.org", "Thomas Girard (La Fabrique)", "fr"),
    ("hello@lequai-coworking.example.org", "Inès Faure (Le Quai)", "fr"),
    ("contact@manufacture-amboise.example.org", "Paul Chevalier (La Manufacture)", "fr"),
    ("bonjour@escale-blere.example.org", "Émilie Garnier (L'Escale)", "fr"),
    ("contact@lelogis-loches.example.org", "Antoine Rousseau (Le Logis)", "fr"),
    ("bonjour@lacale-chinon.example.org", "Manon Lambert (La Cale)", "fr"),
    # Hosts across the rest of Indre-et-Loire, so the map looks like a territory.
    ("contact@laiterie-sainte-maure.example.org", "Hélène Marchand (SCI de la Laiterie)", "fr"),
    ("bonjour@relais-azay.example.org", "Louis Perrin (Le Relais d'Azay)", "fr"),
    ("contact@gare-langeais.example.org", "Chloé Renaud (La Gare de Langeais)", "fr"),
    ("gestion@fonciere-val-indre.example.org", "Marc Giraud (Foncière du Val de l'Indre)", "fr"),
    ("bonjour@tannerie-chateau-renault.example.org", "Julie Caron (La Tannerie)", "fr"),
    ("accueil@domaine-perrieres.example.org", "Vincent Bonnet (Domaine des Perrières)", "fr"),
    ("bonjour@cellier-montlouis.example.org", "Anaïs Mercier (Le Cellier)", "fr"),
    ("contact@cave-bourgueil.example.org", "Romain Fabre (La Cave)", "fr"),
    ("france-services@lochessudtouraine.example.org", "Agnès Leroy (France Services)", "fr"),
    ("contact@hotel-du-cardinal.example.org", "Isabelle Noël (Hôtel du Cardinal)", "fr"),
    # Teleworkers whose bookings fill the coming weeks.
    ("lucie.moreau@example.org", "Lucie Moreau", "fr"),
    ("karim.haddad@example.org", "Karim Haddad", "fr"),
    ("sophie.laurent@example.org", "Sophie Laurent", "fr"),
    ("yann.legoff@example.org", "Yann Le Goff", "en"),
    # Touraine Logistique's staff, who live around Amboise, Loches and Chinon (EMPLOYER_STAFF).
    ("theo.blanchard@touraine-logistique.example.org", "Théo Blanchard", "fr"),
    ("ines.roche@touraine-logistique.example.org", "Inès Roche", "fr"),
    ("claire.fontaine@touraine-logistique.example.org", "Claire Fontaine", "fr"),
    ("mathieu.perrot@touraine-logistique.example.org", "Mathieu Perrot", "fr"),
    ("samir.benali@touraine-logistique.example.org", "Samir Benali", "fr"),
    # Teleworkers of the Lochois, Chinon and Bléré, whose past bookings feed the observatory.
    ("elodie.marchais@example.org", "Élodie Marchais", "fr"),
    ("bastien.roy@example.org", "Bastien Roy", "fr"),
    ("nora.lefort@example.org", "Nora Lefort", "fr"),
    ("julien.caillaud@example.org", "Julien Caillaud", "fr"),
    ("amelie.robin@example.org", "Amélie Robin", "fr"),
    ("thomas.vidal@example.org", "Thomas Vidal", "fr"),
    ("mehdi.amrani@example.org", "Mehdi Amrani", "fr"),
    ("ana.costa@example.org", "Ana Costa", "en"),
]

# (name, kind, owner's e-mail)
ORGANISATIONS = [
    ("Ville de Loches", "municipality", "patrimoine@mairie-loches.example.org"),
    ("La Cantine Tours", "coworking", "accueil@la-cantine-tours.example.org"),
    ("Touraine Logistique", "employer", "rh@touraine-logistique.example.org"),
    ("Ville de Chinon", "municipality", "batiments@ville-chinon.example.org"),
    ("Résidence Les Tanneurs (CROUS)", "landlord", "tanneurs@crous-tours.example.org"),
    ("Médiathèque de Joué-lès-Tours", "municipality", "mediatheque@joue-les-tours.example.org"),
    ("L'Atelier Plumereau", "coworking", "bonjour@atelier-plumereau.example.org"),
    ("La Fabrique des Bretonnières", "coworking", "contact@fabrique-bretonnieres.example.org"),
    ("Le Quai Coworking", "coworking", "hello@lequai-coworking.example.org"),
    ("La Manufacture d'Amboise", "coworking", "contact@manufacture-amboise.example.org"),
    ("L'Escale, coworking du Val de Cher", "coworking", "bonjour@escale-blere.example.org"),
    ("Le Logis, tiers-lieu du Lochois", "coworking", "contact@lelogis-loches.example.org"),
    ("La Cale, tiers-lieu chinonais", "coworking", "bonjour@lacale-chinon.example.org"),
    ("SCI de la Laiterie", "landlord", "contact@laiterie-sainte-maure.example.org"),
    ("Le Relais d'Azay", "coworking", "bonjour@relais-azay.example.org"),
    ("La Gare de Langeais", "coworking", "contact@gare-langeais.example.org"),
    ("Foncière du Val de l'Indre", "landlord", "gestion@fonciere-val-indre.example.org"),
    (
        "La Tannerie, tiers-lieu castelrenaudais",
        "coworking",
        "bonjour@tannerie-chateau-renault.example.org",
    ),
    ("Domaine des Perrières", "landlord", "accueil@domaine-perrieres.example.org"),
    ("Le Cellier, coworking de Montlouis", "coworking", "bonjour@cellier-montlouis.example.org"),
    ("La Cave, coworking de Bourgueil", "coworking", "contact@cave-bourgueil.example.org"),
    (
        "Communauté de communes Loches Sud Touraine",
        "municipality",
        "france-services@lochessudtouraine.example.org",
    ),
    ("Hôtel du Cardinal", "landlord", "contact@hotel-du-cardinal.example.org"),
]

OFFICE_HOURS = {"mon-fri": ["8:30-19:00"]}
OFFICE_HOURS_AND_SATURDAY = {"mon-fri": ["8:30-19:00"], "sat": ["9:00-12:30"]}
ROUND_THE_CLOCK = {"mon-sun": ["0:00-24:00"]}  # a badge opens the door at any hour

CHRISTMAS = {"from": (12, 24), "until": (1, 2), "reason": "Fermeture de fin d'année"}
SUMMER = {"from": (8, 1), "until": (8, 16), "reason": "Fermeture estivale"}

SPACES = [
    # --- Tours ---------------------------------------------------------------------------------
    {
        "organisation": "La Cantine Tours",
        "name": "La Cantine — Tours Gare",
        "kind": "coworking",
        "place": "Tours 37000",
        "offset_m": (-170, 310),
        "address": "16 rue Édouard Vaillant",
        "description": (
            "Un espace de coworking à deux minutes à pied de la gare de Tours : 24 postes en "
            "open space, un bureau privatif et une salle de réunion. Idéal pour une journée de "
            "télétravail entre deux trains ou pour vos rendez-vous clients. Café à volonté, "
            "casiers et cabine téléphonique. Petit-déjeuner des membres le jeudi."
        ),
        "services": [
            "wifi",
            "printer",
            "meeting_room",
            "coffee",
            "phone_booth",
            "lockers",
            "accessible",
            "bike_parking",
            "animation",
        ],
        "accessibility": "Rez-de-chaussée de plain-pied, toilettes adaptées PMR.",
        "house_rules": (
            "Appels dans la cabine ou dans le hall, s'il vous plaît. Rangez votre poste en "
            "partant. Les vélos se garent dans la cour, pas dans le hall."
        ),
        "contact_email": "accueil@la-cantine-tours.example.org",
        "contact_phone": "02 61 91 10 01",
        "hours": OFFICE_HOURS_AND_SATURDAY,
        "closures": [CHRISTMAS],
        "units": [
            {
                "name": "Postes en open space",
                "kind": "desk_pool",
                "capacity": 24,
                "prices": {"hour": 400, "half_day": 1500, "day": 2500, "month": 24000},
                "min_minutes": 60,
            },
            {
                "name": "Bureau privatif Loire (2 personnes)",
                "kind": "office",
                "capacity": 2,
                "prices": {"hour": None, "half_day": 3500, "day": 6000, "month": 52000},
                "min_minutes": 240,
            },
            {
                "name": "Salle de réunion Balzac (10 personnes)",
                "kind": "meeting_room",
                "capacity": 10,
                "prices": {"hour": 3500, "half_day": 12000, "day": 22000, "month": None},
                "booking_mode": "request",
                "min_minutes": 60,
                "notice_minutes": 24 * 60,
                "cancel_until_minutes": 24 * 60,
            },
        ],
    },
    {
        "organisation": "L'Atelier Plumereau",
        "name": "L'Atelier Plumereau",
        "kind": "coworking",
        "place": "Tours 37000",
        "offset_m": (490, -525),
        "address": "7 rue du Grand Marché",
        "description": (
            "Un tiers-lieu dans une maison à colombages du Vieux-Tours, à deux pas de la place "
            "Plumereau. Douze postes partagés sous les poutres, une cuisine commune et une petite "
            "salle de réunion. Ateliers et apéros-rencontres le premier vendredi du mois."
        ),
        "services": ["wifi", "printer", "coffee", "kitchen", "animation", "quiet_zone"],
        "accessibility": "Maison ancienne à l'étage, sans ascenseur : non accessible PMR.",
        "house_rules": (
            "Jauge sanitaire : la moitié des postes seulement est réservable. Aération de la "
            "salle toutes les heures. Silence dans la zone calme à l'étage."
        ),
        "contact_email": "bonjour@atelier-plumereau.example.org",
        "contact_phone": "02 61 91 10 02",
        "capacity_cap_percent": 50,
        "hours": {"mon-fri": ["9:00-18:30"], "sat": ["9:30-12:30"]},
        "units": [
            {
                "name": "Postes partagés",
                "kind": "desk_pool",
                "capacity": 12,
                "prices": {"hour": 350, "half_day": 1200, "day": 2000, "month": 18000},
            },
            {
                "name": "Salle du Vieux-Tours (6 personnes)",
                "kind": "meeting_room",
                "capacity": 6,
                "prices": {"hour": 2000, "half_day": 7000, "day": None, "month": None},
                "min_minutes": 60,
            },
        ],
    },
    {
        "organisation": "Résidence Les Tanneurs (CROUS)",
        "name": "Salle de coworking de la résidence Les Tanneurs",
        "kind": "residence",
        "place": "Tours 37000",
        "offset_m": (640, -170),
        "address": "5 rue des Tanneurs",
        "description": (
            "Pendant que les étudiantes et les étudiants sont en cours, la résidence ouvre sa salle "
            "de travail aux habitants du quartier : dix postes au calme, en bord de Loire, les "
            "matins et les après-midi de semaine. La salle ferme à l'heure du déjeuner et pendant "
            "les jours fériés."
        ),
        "services": ["wifi", "quiet_zone", "accessible", "bike_parking"],
        "accessibility": "Accès PMR par l'entrée du parking, ascenseur jusqu'à la salle.",
        "house_rules": (
            "Présentez-vous à l'accueil de la résidence à votre arrivée. La salle est partagée "
            "avec les résidents : pas d'appels, pas de repas."
        ),
        "contact_email": "tanneurs@crous-tours.example.org",
        "contact_phone": "02 61 91 10 03",
        "closed_on_public_holidays": True,
        "hours": {"mon-fri": ["9:00-12:00", "14:00-17:00"]},
        "units": [
            {
                "name": "Postes en salle de coworking",
                "kind": "desk_pool",
                "capacity": 10,
                "prices": {"hour": 300, "half_day": 1200, "day": 2000, "month": None},
            },
            {
                "name": "Salle de travail en groupe (8 personnes)",
                "kind": "meeting_room",
                "capacity": 8,
                "prices": {"hour": 2000, "half_day": 5500, "day": None, "month": None},
                "booking_mode": "request",
                "notice_minutes": 24 * 60,
            },
        ],
    },
    # --- Joué-lès-Tours ------------------------------------------------------------------------
    {
        "organisation": "Médiathèque de Joué-lès-Tours",
        "name": "Espace de travail de la médiathèque",
        "kind": "other",
        "place": "Joué-lès-Tours 37300",
        "offset_m": (250, -180),
        "address": "6 rue de Verdun",
        "description": (
            "Seize postes de travail gratuits dans la salle d'étude de la médiathèque, avec le "
            "Wi-Fi, les collections et une imprimante. Les médiatrices et médiateurs numériques "
            "vous accompagnent sur rendez-vous : démarches en ligne, visioconférence, outils "
            "collaboratifs."
        ),
        "services": ["library", "digital_help", "wifi", "printer", "accessible", "quiet_zone"],
        "accessibility": "Bâtiment de plain-pied, boucle magnétique à l'accueil.",
        "house_rules": (
            "Gratuit, sur réservation. Merci de libérer votre poste si vous partez plus d'une "
            "demi-heure. Les appels se passent dans le hall."
        ),
        "contact_email": "mediatheque@joue-les-tours.example.org",
        "contact_phone": "02 61 91 10 04",
        "closed_on_public_holidays": True,
        "hours": {
            "tue": ["13:00-18:00"],
            "wed": ["10:00-18:00"],
            "thu": ["13:00-18:00"],
            "fri": ["13:00-19:00"],
            "sat": ["10:00-17:00"],
        },
        "closures": [SUMMER],
        "units": [
            {
                "name": "Postes de travail en salle d'étude",
                "kind": "desk_pool",
                "capacity": 16,
                "prices": {"hour": 0, "half_day": 0, "day": 0, "month": None},
            },
            {
                "name": "Atelier numérique (accompagnement sur rendez-vous)",
                "kind": "meeting_room",
                "capacity": 6,
                "prices": {"hour": 0, "half_day": None, "day": None, "month": None},
                "booking_mode": "request",
                "min_minutes": 60,
                "max_minutes": 120,
                "notice_minutes": 48 * 60,
            },
        ],
    },
    {
        "organisation": "La Fabrique des Bretonnières",
        "name": "La Fabrique des Bretonnières",
        "kind": "coworking",
        "place": "Joué-lès-Tours 37300",
        "offset_m": (-400, 350),
        "address": "18 rue Aristide Briand",
        "description": (
            "Un tiers-lieu familial : coworking, café associatif et espace de garde d'enfants "
            "encadré par une éducatrice de jeunes enfants le mercredi et pendant les vacances "
            "scolaires. Travaillez l'esprit tranquille pendant que les enfants jouent à côté."
        ),
        "services": [
            "childcare",
            "animation",
            "kitchen",
            "wifi",
            "parking",
            "accessible",
            "coffee",
        ],
        "accessibility": "Accessible PMR, places de stationnement réservées devant l'entrée.",
        "house_rules": (
            "La garde d'enfants se réserve à l'accueil, la veille au plus tard (3 à 10 ans). "
            "Cuisine partagée : chacun lave sa vaisselle."
        ),
        "contact_email": "contact@fabrique-bretonnieres.example.org",
        "contact_phone": "02 61 91 10 05",
        "hours": {"mon-fri": ["8:30-18:30"]},
        "units": [
            {
                "name": "Postes partagés",
                "kind": "desk_pool",
                "capacity": 14,
                "prices": {"hour": 400, "half_day": 1400, "day": 2200, "month": 19000},
            },
            {
                "name": "Bureau privatif (1 personne)",
                "kind": "office",
                "capacity": 1,
                "prices": {"hour": None, "half_day": 1800, "day": 3000, "month": 28000},
            },
            {
                "name": "Salle de réunion (12 personnes)",
                "kind": "meeting_room",
                "capacity": 12,
                "prices": {"hour": 3000, "half_day": 10000, "day": 18000, "month": None},
                "booking_mode": "request",
                "min_minutes": 60,
                "notice_minutes": 24 * 60,
            },
        ],
    },
    # --- Saint-Pierre-des-Corps ----------------------------------------------------------------
    {
        "organisation": "Le Quai Coworking",
        "name": "Le Quai — coworking de la gare TGV",
        "kind": "coworking",
        "place": "Saint-Pierre-des-Corps 37700",
        "offset_m": (-440, 325),
        "address": "4 rue Pierre Sémard",
        "description": (
            "Face à la gare TGV de Saint-Pierre-des-Corps, à 55 minutes de Paris : trente postes "
            "nomades, un bureau de quatre et une grande salle de réunion pour vos équipes "
            "venues de Paris ou de Bordeaux. Ouvert tôt, fermé tard, comme les trains."
        ),
        "services": [
            "wifi",
            "phone_booth",
            "lockers",
            "coffee",
            "printer",
            "meeting_room",
            "bike_parking",
            "showers",
            "accessible",
        ],
        "accessibility": "Accessible PMR depuis le parvis de la gare, ascenseur.",
        "house_rules": (
            "Badge remis à l'accueil contre une pièce d'identité. Les casiers se libèrent le "
            "soir. Douches sur réservation à l'accueil."
        ),
        "contact_email": "hello@lequai-coworking.example.org",
        "contact_phone": "02 61 91 10 06",
        "hours": {"mon-fri": ["7:30-20:00"]},
        "units": [
            {
                "name": "Postes nomades",
                "kind": "desk_pool",
                "capacity": 30,
                "prices": {"hour": 500, "half_day": 1800, "day": 2800, "month": 28000},
            },
            {
                "name": "Bureau d'équipe (4 personnes)",
                "kind": "office",
                "capacity": 4,
                "prices": {"hour": None, "half_day": 6000, "day": 11000, "month": 95000},
                "booking_mode": "request",
                "min_minutes": 240,
                "notice_minutes": 24 * 60,
                "cancel_until_minutes": 48 * 60,
            },
            {
                "name": "Salle de réunion TGV (14 personnes)",
                "kind": "meeting_room",
                "capacity": 14,
                "prices": {"hour": 4000, "half_day": 14000, "day": 26000, "month": None},
                "min_minutes": 60,
                "cancel_until_minutes": 24 * 60,
            },
        ],
    },
    # --- Amboise -------------------------------------------------------------------------------
    {
        "organisation": "La Manufacture d'Amboise",
        "name": "La Manufacture d'Amboise",
        "kind": "coworking",
        "place": "Amboise 37400",
        "offset_m": (150, -250),
        "address": "15 quai du Général de Gaulle",
        "description": (
            "Un tiers-lieu en bord de Loire, au pied du château : dix postes partagés, une salle "
            "de réunion et un atelier où se tiennent cafés-réparation et rencontres "
            "d'entrepreneurs du territoire. Le samedi matin, l'équipe accueille les nouveaux venus."
        ),
        "services": ["wifi", "animation", "coffee", "kitchen", "bike_parking", "printer"],
        "accessibility": "Accessible PMR par la cour, toilettes adaptées.",
        "house_rules": (
            "Le café est offert, la vaisselle est pour tout le monde. Les vélos de la Loire à "
            "Vélo sont bienvenus dans la cour."
        ),
        "contact_email": "contact@manufacture-amboise.example.org",
        "contact_phone": "02 61 91 10 07",
        "hours": {"mon-fri": ["9:00-18:30"], "sat": ["9:00-12:00"]},
        "closures": [CHRISTMAS],
        "units": [
            {
                "name": "Postes partagés",
                "kind": "desk_pool",
                "capacity": 10,
                "prices": {"hour": 350, "half_day": 1300, "day": 2200, "month": 20000},
            },
            {
                "name": "Salle du Clos (8 personnes)",
                "kind": "meeting_room",
                "capacity": 8,
                "prices": {"hour": 2500, "half_day": 8000, "day": 15000, "month": None},
                "booking_mode": "request",
                "min_minutes": 60,
                "notice_minutes": 24 * 60,
            },
        ],
    },
    # --- Bléré ---------------------------------------------------------------------------------
    {
        "organisation": "L'Escale, coworking du Val de Cher",
        "name": "L'Escale — espace de travail partagé",
        "kind": "coworking",
        "place": "Bléré 37150",
        "offset_m": (-120, 200),
        "address": "10 place Charles Bidault",
        "description": (
            "Sur la place du marché de Bléré, un espace de travail partagé pour les habitants du "
            "Val de Cher qui ne veulent plus faire la route tous les jours : huit postes, un "
            "bureau fermé et un parking gratuit."
        ),
        "services": ["wifi", "parking", "coffee", "printer", "accessible"],
        "accessibility": "Rez-de-chaussée accessible PMR.",
        "house_rules": "Le dernier parti ferme les volets et éteint le chauffage.",
        "contact_email": "bonjour@escale-blere.example.org",
        "contact_phone": "02 61 91 10 08",
        "hours": {"mon-fri": ["8:30-18:00"]},
        "units": [
            {
                "name": "Postes partagés",
                "kind": "desk_pool",
                "capacity": 8,
                "prices": {"hour": 300, "half_day": 1200, "day": 2000, "month": 18000},
            },
            {
                "name": "Bureau fermé (2 personnes)",
                "kind": "office",
                "capacity": 2,
                "prices": {"hour": None, "half_day": 2500, "day": 4500, "month": 38000},
                "booking_mode": "request",
                "notice_minutes": 24 * 60,
            },
        ],
    },
    # --- Loches --------------------------------------------------------------------------------
    {
        "organisation": "Ville de Loches",
        "name": "Ancienne perception",
        "kind": "vacant_public",
        "place": "Loches 37600",
        "offset_m": (180, -120),
        "address": "12 rue de la République",
        "description": (
            "L'ancienne perception de Loches attend son projet de réaménagement. D'ici là, la "
            "Ville met à disposition le rez-de-chaussée (140 m², trois bureaux et une salle "
            "d'accueil) pour une occupation temporaire : collectif de télétravailleurs, "
            "association, entreprise en création. Disponible pour quatre ans."
        ),
        "services": ["wifi", "parking", "kitchen", "accessible"],
        "accessibility": "Entrée de plain-pied par la rue ; toilettes adaptées PMR.",
        "house_rules": (
            "Occupation temporaire sur demande, après une visite avec le service patrimoine. "
            "Convention d'occupation précaire signée avec la Ville. Pas de travaux."
        ),
        "contact_email": "patrimoine@mairie-loches.example.org",
        "contact_phone": "02 61 91 10 09",
        "available_from": ("month_start", 1),
        "available_until": ("years", 4),
        "hours": {"mon-sat": ["8:00-20:00"]},
        "units": [
            {
                "name": "Local entier (rez-de-chaussée, 140 m²)",
                "kind": "whole_premises",
                "capacity": 15,
                "prices": {"hour": None, "half_day": None, "day": 8000, "month": 65000},
                "booking_mode": "request",
                "min_minutes": 8 * 60,
                "notice_minutes": 7 * 24 * 60,
                "cancel_until_minutes": 7 * 24 * 60,
            },
            # Linked units: two offices inside the whole building (``part_of`` names it). When
            # the building is booked, they are not free, and the other way round.
            {
                "name": "Bureau côté rue (18 m²)",
                "kind": "office",
                "capacity": 3,
                "prices": {"hour": None, "half_day": None, "day": 2500, "month": 22000},
                "booking_mode": "request",
                "min_minutes": 8 * 60,
                "notice_minutes": 7 * 24 * 60,
                "cancel_until_minutes": 7 * 24 * 60,
                "part_of": "Local entier (rez-de-chaussée, 140 m²)",
            },
            {
                "name": "Bureau côté cour (15 m²)",
                "kind": "office",
                "capacity": 2,
                "prices": {"hour": None, "half_day": None, "day": 2000, "month": 18000},
                "booking_mode": "request",
                "min_minutes": 8 * 60,
                "notice_minutes": 7 * 24 * 60,
                "cancel_until_minutes": 7 * 24 * 60,
                "part_of": "Local entier (rez-de-chaussée, 140 m²)",
            },
        ],
    },
    {
        "organisation": "Le Logis, tiers-lieu du Lochois",
        "name": "Le Logis — tiers-lieu du Lochois",
        "kind": "coworking",
        "place": "Loches 37600",
        "offset_m": (-300, 260),
        "address": "8 rue Picois",
        "description": (
            "Au pied de la cité royale, un tiers-lieu animé par une association : coworking, "
            "permanences d'accompagnement numérique et soirées d'échanges entre indépendants "
            "du Sud Touraine."
        ),
        "services": ["wifi", "animation", "coffee", "digital_help", "accessible"],
        "accessibility": "Accessible PMR ; stationnement réservé place du Marché au Blé.",
        "house_rules": "Adhésion à l'association offerte le premier mois.",
        "contact_email": "contact@lelogis-loches.example.org",
        "contact_phone": "02 61 91 10 10",
        "hours": {"mon-fri": ["9:00-18:00"], "sat": ["9:30-12:30"]},
        "units": [
            {
                "name": "Postes partagés",
                "kind": "desk_pool",
                "capacity": 8,
                "prices": {"hour": 300, "half_day": 1200, "day": 2000, "month": 18000},
            },
            {
                "name": "Salle Agnès Sorel (10 personnes)",
                "kind": "meeting_room",
                "capacity": 10,
                "prices": {"hour": 2000, "half_day": 6500, "day": 12000, "month": None},
                "min_minutes": 60,
            },
        ],
    },
    # --- Chinon --------------------------------------------------------------------------------
    {
        "organisation": "Ville de Chinon",
        "name": "Aile vacante de l'école Jules-Ferry",
        "kind": "vacant_public",
        "place": "Chinon 37500",
        "offset_m": (350, 300),
        "address": "14 rue Jules-Ferry",
        "description": (
            "Depuis le regroupement des classes, l'aile est de l'école est vide en attendant sa "
            "transformation en maison des associations. Deux anciennes salles de classe, "
            "lumineuses et chauffées, sont proposées en occupation transitoire : un bureau "
            "collectif de huit postes et une salle de réunion de vingt personnes."
        ),
        "services": ["wifi", "parking", "accessible", "bike_parking"],
        "accessibility": "Rampe d'accès et toilettes PMR dans l'aile.",
        "house_rules": (
            "Entrée indépendante par la rue, jamais par la cour de l'école. Occupation sur "
            "demande, convention avec la Ville de Chinon."
        ),
        "contact_email": "batiments@ville-chinon.example.org",
        "contact_phone": "02 61 91 10 11",
        "available_from": ("days", 0),
        "available_until": ("on", 8, 31, 2),
        "hours": {"mon-fri": ["8:00-19:00"], "sat": ["9:00-13:00"]},
        "units": [
            {
                "name": "Salle de classe n°1 — bureau collectif (8 postes)",
                "kind": "office",
                "capacity": 8,
                "prices": {"hour": None, "half_day": 2500, "day": 4000, "month": 35000},
                "booking_mode": "request",
                "notice_minutes": 3 * 24 * 60,
            },
            {
                "name": "Salle de classe n°2 — salle de réunion (20 personnes)",
                "kind": "meeting_room",
                "capacity": 20,
                "prices": {"hour": 2000, "half_day": 6000, "day": 10000, "month": None},
                "booking_mode": "request",
                "min_minutes": 60,
                "notice_minutes": 3 * 24 * 60,
            },
        ],
    },
    {
        "organisation": "La Cale, tiers-lieu chinonais",
        "name": "La Cale — tiers-lieu chinonais",
        "kind": "coworking",
        "place": "Chinon 37500",
        "offset_m": (-150, -280),
        "address": "22 quai Jeanne d'Arc",
        "description": (
            "Sur les quais de la Vienne, face à la forteresse : dix postes partagés, un bureau "
            "individuel et une salle de réunion, une cuisine et un jardin. Rencontres mensuelles "
            "des télétravailleurs du Chinonais."
        ),
        "services": ["wifi", "coffee", "animation", "bike_parking", "kitchen", "quiet_zone"],
        "accessibility": "Accessible PMR au rez-de-chaussée ; salle de réunion à l'étage.",
        "house_rules": "Le jardin est à tout le monde ; les appels aussi, mais dehors.",
        "contact_email": "bonjour@lacale-chinon.example.org",
        "contact_phone": "02 61 91 10 12",
        "hours": OFFICE_HOURS,
        "units": [
            {
                "name": "Postes partagés",
                "kind": "desk_pool",
                "capacity": 10,
                "prices": {"hour": 350, "half_day": 1300, "day": 2200, "month": 19000},
            },
            {
                "name": "Bureau individuel",
                "kind": "office",
                "capacity": 1,
                "prices": {"hour": None, "half_day": 1800, "day": 3000, "month": 26000},
            },
            {
                "name": "Salle de la Vienne (8 personnes)",
                "kind": "meeting_room",
                "capacity": 8,
                "prices": {"hour": 2500, "half_day": 8000, "day": None, "month": None},
                "min_minutes": 60,
            },
        ],
    },
    # --- Sainte-Maure-de-Touraine -----------------------------------------------------------------
    {
        "organisation": "SCI de la Laiterie",
        "name": "Bureaux de l'ancienne laiterie",
        "kind": "private_premises",
        "place": "Sainte-Maure-de-Touraine 37800",
        "offset_m": (-260, 410),
        "address": "3 rue de la Laiterie",
        "description": (
            "L'ancienne laiterie coopérative, berceau du fromage de chèvre AOP, a été "
            "réaménagée en bureaux par ses propriétaires. En attendant des locataires à l'année, "
            "le plateau du premier étage accueille des télétravailleurs de passage sur la route "
            "Tours–Poitiers, à cinq minutes de l'échangeur de l'A10."
        ),
        "services": ["wifi", "parking", "kitchen", "coffee", "printer"],
        "accessibility": "Plateau à l'étage desservi par un ascenseur ; places PMR sur le parking.",
        "house_rules": "Badge remis à la première réservation. Parking gratuit dans la cour.",
        "contact_email": "contact@laiterie-sainte-maure.example.org",
        "contact_phone": "02 61 91 10 13",
        "hours": {"mon-fri": ["8:00-19:00"]},
        "booked_days": 7,
        "units": [
            {
                "name": "Plateau partagé",
                "kind": "desk_pool",
                "capacity": 8,
                "prices": {"hour": 300, "half_day": 1000, "day": 1800, "month": 15000},
            },
            {
                "name": "Bureau de la fromagerie (2 personnes)",
                "kind": "office",
                "capacity": 2,
                "prices": {"hour": None, "half_day": 2200, "day": 3800, "month": 42000},
            },
        ],
    },
    # --- Azay-le-Rideau ---------------------------------------------------------------------------
    {
        "organisation": "Le Relais d'Azay",
        "name": "Le Relais d'Azay — coworking",
        "kind": "coworking",
        "place": "Azay-le-Rideau 37190",
        "offset_m": (150, -320),
        "address": "9 rue Nationale",
        "description": (
            "À deux rues du château, un ancien relais de poste devenu espace de travail partagé : "
            "huit postes sous la verrière, une salle de réunion et un jardin clos au bord de "
            "l'Indre."
        ),
        "services": ["wifi", "coffee", "kitchen", "bike_parking", "quiet_zone"],
        "accessibility": "Rez-de-chaussée accessible ; salle de réunion à l'étage sans ascenseur.",
        "house_rules": "Les vélos dans la cour, les appels dans le jardin.",
        "contact_email": "bonjour@relais-azay.example.org",
        "contact_phone": "02 61 91 10 14",
        "hours": {"mon-fri": ["8:30-18:30"]},
        "booked_days": 7,
        "closures": [SUMMER],
        "units": [
            {
                "name": "Postes sous la verrière",
                "kind": "desk_pool",
                "capacity": 8,
                "prices": {"hour": 350, "half_day": 1200, "day": 2000, "month": 17000},
            },
            {
                "name": "Salle du Relais (6 personnes)",
                "kind": "meeting_room",
                "capacity": 6,
                "prices": {"hour": 2000, "half_day": 6000, "day": 10000, "month": None},
                "min_minutes": 60,
            },
        ],
    },
    # --- Langeais ---------------------------------------------------------------------------------
    {
        "organisation": "La Gare de Langeais",
        "name": "La Gare — tiers-lieu de Langeais",
        "kind": "coworking",
        "place": "Langeais 37130",
        "offset_m": (-420, 250),
        "address": "Place de la Gare",
        "description": (
            "Dans l'ancien bâtiment voyageurs de la gare, un tiers-lieu associatif : coworking, "
            "atelier de réparation de vélos et café le samedi. Tours est à vingt minutes en TER."
        ),
        "services": ["wifi", "coffee", "bike_parking", "animation", "accessible"],
        "accessibility": "De plain-pied depuis le quai ; toilettes adaptées.",
        "house_rules": "Adhésion à prix libre à l'association.",
        "contact_email": "contact@gare-langeais.example.org",
        "contact_phone": "02 61 91 10 15",
        "hours": {"mon-fri": ["8:00-18:00"], "sat": ["9:00-13:00"]},
        "booked_days": 7,
        "units": [
            {
                "name": "Postes de la salle des pas perdus",
                "kind": "desk_pool",
                "capacity": 6,
                "prices": {"hour": 300, "half_day": 900, "day": 1500, "month": 12000},
            },
            {
                "name": "Bureau du chef de gare",
                "kind": "office",
                "capacity": 1,
                "prices": {"hour": None, "half_day": 1500, "day": 2500, "month": 22000},
            },
        ],
    },
    # --- Montbazon --------------------------------------------------------------------------------
    {
        "organisation": "Foncière du Val de l'Indre",
        "name": "Bureaux vacants du Moulin de Montbazon",
        "kind": "private_premises",
        "place": "Montbazon 37250",
        "offset_m": (230, 180),
        "address": "2 rue du Moulin",
        "description": (
            "Deux bureaux d'un immeuble tertiaire en attente de locataires, loués à la journée "
            "ou au mois. Accès par badge à toute heure, sept jours sur sept : pratique pour les "
            "séjours de plusieurs jours."
        ),
        "services": ["wifi", "parking", "kitchen", "showers", "accessible"],
        "accessibility": "Immeuble récent aux normes PMR.",
        "house_rules": "Badge envoyé par SMS la veille. Ménage une fois par semaine.",
        "contact_email": "gestion@fonciere-val-indre.example.org",
        "contact_phone": "02 61 91 10 16",
        "hours": ROUND_THE_CLOCK,
        "booked_days": 7,
        "units": [
            {
                "name": "Bureau Indre (4 personnes)",
                "kind": "office",
                "capacity": 4,
                "prices": {"hour": None, "half_day": 3000, "day": 5000, "month": 60000},
                "min_minutes": 4 * 60,
            },
            {
                "name": "Bureau Moulin (2 personnes)",
                "kind": "office",
                "capacity": 2,
                "prices": {"hour": None, "half_day": 2000, "day": 3500, "month": 40000},
                "min_minutes": 4 * 60,
            },
        ],
    },
    # --- Château-Renault --------------------------------------------------------------------------
    {
        "organisation": "La Tannerie, tiers-lieu castelrenaudais",
        "name": "La Tannerie — tiers-lieu castelrenaudais",
        "kind": "coworking",
        "place": "Château-Renault 37110",
        "offset_m": (-180, -240),
        "address": "12 rue de la Tannerie",
        "description": (
            "Dans une ancienne tannerie au bord de la Brenne, un tiers-lieu qui mêle coworking, "
            "fablab et permanences d'aide au numérique."
        ),
        "services": ["wifi", "printer", "digital_help", "animation", "coffee"],
        "accessibility": "Accessible PMR au rez-de-chaussée.",
        "house_rules": "Le fablab se réserve à part, auprès de l'équipe.",
        "contact_email": "bonjour@tannerie-chateau-renault.example.org",
        "contact_phone": "02 61 91 10 17",
        "hours": {"tue-sat": ["9:00-18:00"]},
        "booked_days": 7,
        "units": [
            {
                "name": "Postes partagés",
                "kind": "desk_pool",
                "capacity": 10,
                "prices": {"hour": 300, "half_day": 1000, "day": 1600, "month": 14000},
            },
            {
                "name": "Salle des peaux (12 personnes)",
                "kind": "meeting_room",
                "capacity": 12,
                "prices": {"hour": 2500, "half_day": 7000, "day": 12000, "month": None},
                "booking_mode": "request",
                "notice_minutes": 48 * 60,
            },
        ],
    },
    # --- Vouvray ----------------------------------------------------------------------------------
    {
        "organisation": "Domaine des Perrières",
        "name": "Le Chai des Perrières",
        "kind": "private_premises",
        "place": "Vouvray 37210",
        "offset_m": (380, 520),
        "address": "Chemin des Perrières",
        "description": (
            "Un domaine viticole ouvre son ancien chai troglodytique, hors vendanges : une salle "
            "de réunion voûtée pour vos séminaires et un bureau lumineux au-dessus des caves."
        ),
        "services": ["wifi", "parking", "kitchen", "meeting_room"],
        "accessibility": "Salle voûtée de plain-pied ; bureau à l'étage par un escalier.",
        "house_rules": "Dégustation sur demande, jamais pendant les réunions.",
        "contact_email": "accueil@domaine-perrieres.example.org",
        "contact_phone": "02 61 91 10 18",
        "hours": {"mon-fri": ["9:00-18:00"]},
        "booked_days": 7,
        "closures": [{"from": (9, 15), "until": (10, 20), "reason": "Vendanges"}],
        "units": [
            {
                "name": "Salle voûtée (16 personnes)",
                "kind": "meeting_room",
                "capacity": 16,
                "prices": {"hour": 3500, "half_day": 12000, "day": 20000, "month": None},
                "booking_mode": "request",
                "min_minutes": 2 * 60,
                "notice_minutes": 72 * 60,
            },
            {
                "name": "Bureau au-dessus des caves",
                "kind": "office",
                "capacity": 3,
                "prices": {"hour": None, "half_day": 2500, "day": 4000, "month": None},
            },
        ],
    },
    # --- Montlouis-sur-Loire ----------------------------------------------------------------------
    {
        "organisation": "Le Cellier, coworking de Montlouis",
        "name": "Le Cellier — coworking de Montlouis",
        "kind": "coworking",
        "place": "Montlouis-sur-Loire 37270",
        "offset_m": (-300, -150),
        "address": "25 rue de la Croix-Blanche",
        "description": (
            "Un coworking de bourg face à la Loire, à dix minutes de Tours par la piste cyclable "
            "de la Loire à Vélo."
        ),
        "services": ["wifi", "coffee", "bike_parking", "showers", "lockers"],
        "accessibility": "Accessible PMR.",
        "house_rules": "Douche et casiers pour celles et ceux qui arrivent à vélo.",
        "contact_email": "bonjour@cellier-montlouis.example.org",
        "contact_phone": "02 61 91 10 19",
        "hours": OFFICE_HOURS,
        "booked_days": 7,
        "units": [
            {
                "name": "Postes partagés",
                "kind": "desk_pool",
                "capacity": 12,
                "prices": {"hour": 400, "half_day": 1400, "day": 2300, "month": 20000},
            },
            {
                "name": "Cabine visio",
                "kind": "office",
                "capacity": 1,
                "prices": {"hour": 500, "half_day": 1500, "day": None, "month": None},
                "max_minutes": 4 * 60,
            },
        ],
    },
    # --- Bourgueil --------------------------------------------------------------------------------
    {
        "organisation": "La Cave, coworking de Bourgueil",
        "name": "La Cave — coworking de Bourgueil",
        "kind": "coworking",
        "place": "Bourgueil 37140",
        "offset_m": (120, 300),
        "address": "6 place de l'Église",
        "description": (
            "Au cœur du bourg, un coworking tenu par des indépendants du Bourgueillois : "
            "six postes, un petit salon pour les appels et un accès fibre."
        ),
        "services": ["wifi", "phone_booth", "coffee", "quiet_zone"],
        "accessibility": "Une marche à l'entrée ; rampe amovible sur demande.",
        "house_rules": "Silence dans la salle des postes.",
        "contact_email": "contact@cave-bourgueil.example.org",
        "contact_phone": "02 61 91 10 20",
        "hours": {"mon-fri": ["9:00-18:00"]},
        "booked_days": 7,
        "units": [
            {
                "name": "Postes partagés",
                "kind": "desk_pool",
                "capacity": 6,
                "prices": {"hour": 300, "half_day": 1000, "day": 1700, "month": 15000},
            },
            {
                "name": "Salon de réunion (4 personnes)",
                "kind": "meeting_room",
                "capacity": 4,
                "prices": {"hour": 2000, "half_day": 5000, "day": None, "month": None},
            },
        ],
    },
    # --- Ligueil ----------------------------------------------------------------------------------
    {
        "organisation": "Communauté de communes Loches Sud Touraine",
        "name": "Espace France Services de Ligueil",
        "kind": "other",
        "place": "Ligueil 37240",
        "offset_m": (90, -200),
        "address": "Place du Général Leclerc",
        "description": (
            "L'espace France Services met à disposition trois postes de travail et une salle de "
            "rendez-vous : pour télétravailler, faire ses démarches en ligne ou rencontrer un "
            "conseiller. Les postes sont gratuits le matin."
        ),
        "services": ["wifi", "printer", "digital_help", "accessible"],
        "accessibility": "Bâtiment public accessible PMR.",
        "house_rules": "Une pièce d'identité vous sera demandée à l'accueil.",
        "contact_email": "france-services@lochessudtouraine.example.org",
        "contact_phone": "02 61 91 10 21",
        "closed_on_public_holidays": True,
        "hours": {"mon-fri": ["9:00-12:30", "13:30-17:00"]},
        "booked_days": 0,  # half-days only, around the lunch break: the demo's slots never fit
        "units": [
            {
                "name": "Postes de travail",
                "kind": "desk_pool",
                "capacity": 3,
                "prices": {"hour": None, "half_day": 0, "day": None, "month": None},
                "max_minutes": 4 * 60,
            },
            {
                "name": "Salle de rendez-vous",
                "kind": "meeting_room",
                "capacity": 4,
                "prices": {"hour": 0, "half_day": None, "day": None, "month": None},
                "booking_mode": "request",
                "max_minutes": 2 * 60,
            },
        ],
    },
    # --- Richelieu --------------------------------------------------------------------------------
    {
        "organisation": "Hôtel du Cardinal",
        "name": "Salons de l'Hôtel du Cardinal",
        "kind": "private_premises",
        "place": "Richelieu 37120",
        "offset_m": (-140, 60),
        "address": "28 Grande Rue",
        "description": (
            "Un hôtel particulier du XVIIe siècle dans la ville idéale du cardinal de Richelieu. "
            "Ses propriétaires louent le grand salon pour des réunions et un bureau au calme."
        ),
        "services": ["wifi", "coffee", "parking"],
        "accessibility": "Grand salon au rez-de-chaussée, accès par la cour pavée.",
        "house_rules": "Parquet ancien : pas de talons aiguilles, merci !",
        "contact_email": "contact@hotel-du-cardinal.example.org",
        "contact_phone": "02 61 91 10 22",
        "hours": {"mon-sat": ["9:00-19:00"]},
        "booked_days": 7,
        "units": [
            {
                "name": "Grand salon (14 personnes)",
                "kind": "meeting_room",
                "capacity": 14,
                "prices": {"hour": 3000, "half_day": 9000, "day": 15000, "month": None},
                "booking_mode": "request",
                "min_minutes": 2 * 60,
                "notice_minutes": 48 * 60,
            },
            {
                "name": "Bureau de la bibliothèque",
                "kind": "office",
                "capacity": 1,
                "prices": {"hour": None, "half_day": 1500, "day": 2400, "month": 21000},
            },
        ],
    },
]

# Calls for temporary occupation (appels à manifestation d'intérêt): one per site, open until
# ``apply_until`` (a date rule and a local time), each with its applications. Occupation dates are
# date rules; applications take the call's whole period unless they give their own.
CALLS = [
    {
        "space": "Aile vacante de l'école Jules-Ferry",
        "unit": "Salle de classe n°1 — bureau collectif (8 postes)",
        "title": "Occupation temporaire de l'aile est de l'école Jules-Ferry",
        "description": (
            "En attendant sa transformation en maison des associations, la Ville de Chinon "
            "ouvre l'ancienne salle de classe n°1 (55 m², lumineuse, chauffée, huit postes) à "
            "une occupation temporaire. Entrée indépendante, wifi, stationnement vélo."
        ),
        "criteria": (
            "Projets associatifs, culturels ou d'économie sociale et solidaire ouverts aux "
            "habitants ; ancrage local ; capacité à partager les lieux avec d'autres occupants ; "
            "contribution modeste aux charges."
        ),
        "visit_info": (
            "Visites collectives les mercredis à 14 h, sur inscription auprès du service des "
            "bâtiments (02 61 91 10 11)."
        ),
        "occupation_from": ("month_start", 2),
        "occupation_until": ("on", 6, 30, 1),
        "apply_until": (("days", 20), "12:00"),
        "applications": [
            {
                "applicant": "hugo.bernard@example.org",
                "organisation_name": "Repair Café du Chinonais",
                "contact_phone": "02 61 91 10 31",
                "project": (
                    "Un Repair Café mensuel et un atelier de réparation de petit électroménager "
                    "tenu par des bénévoles, avec une permanence le samedi matin."
                ),
                "planned_use": (
                    "Atelier deux demi-journées par semaine, stockage d'outils dans une armoire "
                    "fermée, accueil du public le samedi."
                ),
            },
            {
                "applicant": "sophie.laurent@example.org",
                "organisation_name": "Collectif Vienne Graphique",
                "contact_phone": "02 61 91 10 32",
                "project": (
                    "Un atelier partagé pour quatre graphistes et illustratrices indépendantes, "
                    "avec des expositions ouvertes aux écoles du quartier."
                ),
                "planned_use": "Quatre postes en semaine, une exposition par trimestre.",
            },
        ],
    },
]

# Touraine Logistique pays for its staff's desks near home (``spaces.demo.load_employer``):
# its budgets and rules, then each member's role, the desks they book "paid by" the employer
# (place, unit) and how many days this month (the coming working days first) and last month. Samir has spent 88 € of his 100 €
# this month, so one more day at La Cale (22 €) is refused for budget.
EMPLOYER = "Touraine Logistique"
SPONSORSHIP = {
    "monthly_budget_per_member": 10_000,
    "monthly_budget_total": 40_000,
    "allowed_kinds": ["coworking", "vacant_public"],
    "allowed_communes": ["Amboise 37400", "Loches 37600", "Chinon 37500", "Tours 37000"],
}
EMPLOYER_STAFF = [
    # (e-mail, role, (place, unit), days this month, days last month)
    (
        "claire.fontaine@touraine-logistique.example.org",
        "manager",
        ("Le Logis — tiers-lieu du Lochois", "Postes partagés"),
        2,
        3,
    ),
    (
        "theo.blanchard@touraine-logistique.example.org",
        "member",
        ("La Manufacture d'Amboise", "Postes partagés"),
        3,
        2,
    ),
    (
        "ines.roche@touraine-logistique.example.org",
        "member",
        ("La Cantine — Tours Gare", "Postes en open space"),  # by train from Amboise
        1,
        2,
    ),
    (
        "mathieu.perrot@touraine-logistique.example.org",
        "member",
        ("Le Logis — tiers-lieu du Lochois", "Postes partagés"),
        2,
        1,
    ),
    (
        "samir.benali@touraine-logistique.example.org",
        "member",
        ("La Cale — tiers-lieu chinonais", "Postes partagés"),
        4,
        3,
    ),
]
# The member whose next day is refused: over the monthly budget.
REFUSED_FOR_BUDGET = "samir.benali@touraine-logistique.example.org"


# --- the territory observatory (issue 15) ----------------------------------------------------
# Ville de Loches watches Loches and its neighbours: every commune within this radius of Loches.
OBSERVATORY_TOWN = "Ville de Loches"
TERRITORY_AROUND = ("Loches 37600", 8.0)  # 8 communes, from Loches to Mouzay

# Home communes (optional on an account): counted by the observatory, never shown to anyone.
HOME_COMMUNES = [
    ("camille.martin@example.org", "Tours 37000"),
    ("hugo.bernard@example.org", "Tours 37000"),
    ("sophie.laurent@example.org", "Amboise 37400"),
    ("lucie.moreau@example.org", "Loches 37600"),
    ("karim.haddad@example.org", "Loches 37600"),
    ("yann.legoff@example.org", "Loches 37600"),
    ("elodie.marchais@example.org", "Loches 37600"),
    ("bastien.roy@example.org", "Beaulieu-lès-Loches 37600"),
    ("nora.lefort@example.org", "Perrusson 37600"),
    ("julien.caillaud@example.org", "Chanceaux-près-Loches 37600"),
    ("amelie.robin@example.org", "Chinon 37500"),
    ("thomas.vidal@example.org", "Bléré 37150"),
    ("mehdi.amrani@example.org", "Tours 37000"),
    ("ana.costa@example.org", "Saint-Avertin 37550"),
]
LOCHOIS = [
    "lucie.moreau@example.org",
    "karim.haddad@example.org",
    "yann.legoff@example.org",
    "elodie.marchais@example.org",
    "bastien.roy@example.org",
    "nora.lefort@example.org",
    "julien.caillaud@example.org",
]
TOURANGEAUX = [
    "camille.martin@example.org",
    "hugo.bernard@example.org",
    "sophie.laurent@example.org",
    "mehdi.amrani@example.org",
]

# Past bookings, from the first day of the month three months ago to yesterday, on weekdays:
# (place, unit, its bookers, share of them booking a day at the start, and at the end). The
# story: Le Logis in Loches fills up month after month; Tours is steady; the Sainte-Maure
# laiterie is nearly empty. Meeting rooms: a weekly slot (weekday, start, end) for a team.
PAST_DESKS = [
    ("Le Logis — tiers-lieu du Lochois", "Postes partagés", LOCHOIS, 0.15, 0.55),
    ("La Cantine — Tours Gare", "Postes en open space", TOURANGEAUX, 0.35, 0.45),
    (
        "La Cantine — Tours Gare",
        "Bureau privatif Loire (2 personnes)",
        ["ana.costa@example.org"],
        0.3,
        0.6,
    ),
    ("La Manufacture d'Amboise", "Postes partagés", ["sophie.laurent@example.org"], 0.3, 0.5),
    (
        "L'Escale — espace de travail partagé",
        "Postes partagés",
        ["thomas.vidal@example.org", "sophie.laurent@example.org"],
        0.3,
        0.4,
    ),
    ("La Cale — tiers-lieu chinonais", "Postes partagés", ["amelie.robin@example.org"], 0.4, 0.6),
    ("Bureaux de l'ancienne laiterie", "Plateau partagé", ["hugo.bernard@example.org"], 0.05, 0.05),
]
PAST_ROOMS = [
    (
        "Le Logis — tiers-lieu du Lochois",
        "Salle Agnès Sorel (10 personnes)",
        LOCHOIS,
        1,
        "14:00",
        "16:00",
    ),
    (
        "La Cale — tiers-lieu chinonais",
        "Salle de la Vienne (8 personnes)",
        ["amelie.robin@example.org"],
        3,
        "10:00",
        "12:00",
    ),
]
# Desks booked by small teams: up to this many seats a booking.
PAST_TEAMS = {("La Cantine — Tours Gare", "Postes en open space"): 4}
PAST_CANCELLED_ONE_IN = 20  # about one past desk booking in 20 was cancelled the day before

# Logged searches (anonymous: time, commune, radius, dated, results) over the same months:
# (place, searches a week at the start, at the end, share without result). Searches near
# Sainte-Maure-de-Touraine find nothing (dated, for a few hundred metres, where its one place is
# full), and Perrusson, without any place, is searched more and more.
SEARCHES = [
    ("Tours 37000", 14, 16, 0.0),
    ("Loches 37600", 3, 9, 0.05),
    ("Perrusson 37600", 0, 3, 1.0),
    ("Beaulieu-lès-Loches 37600", 1, 2, 0.0),
    ("Amboise 37400", 2, 3, 0.0),
    ("Chinon 37500", 2, 3, 0.1),
    ("Bléré 37150", 1, 2, 0.0),
    ("Sainte-Maure-de-Touraine 37800", 2, 5, 1.0),
]
