"""A small course for the cmi5 tests: every question type, an image, a video, a forum."""

from __future__ import annotations

import base64
from pathlib import Path

COURSE = """\
id: cmi5-demo
title: {nl: "Digitale sleutels", fr: "Clés numériques"}
description: {nl: "Een korte cursus.", fr: "Un cours court."}
languages: [nl, fr]
completion: [m1]
modules:
  - id: m1
    title: {nl: "Aanmelden", fr: "Se connecter"}
    completion: [m1-elearning, m1-test]
    activities:
      - id: m1-elearning
        type: elearning
        title: {nl: "Aanmelden met itsme", fr: "Se connecter avec itsme"}
        lessons:
          - id: l1
            title: {nl: "De sleutels", fr: "Les clés"}
            sections:
              - id: s1
                title: {nl: "Welkom", fr: "Bienvenue"}
                body_file: {nl: cmi5-demo/welkom.nl.md, fr: cmi5-demo/welkom.fr.md}
              - id: s2
                title: {nl: "Aan het loket", fr: "Au guichet"}
                body:
                  nl: "::: tip\\nVraag eerst welke sleutel de burger al heeft.\\n:::\\n"
                  fr: "::: tip\\nDemandez d'abord quelle clé le citoyen a déjà.\\n:::\\n"
          - id: l2
            title: {nl: "Oefenen", fr: "S'exercer"}
            sections:
              - id: s3
                title: {nl: "Een video", fr: "Une vidéo"}
                body: {nl: "Kijk en lees mee.", fr: "Regardez et lisez."}
                video:
                  url: https://video.example.org/itsme
                  transcript: {nl: "Zo werkt itsme.", fr: "Voici comment fonctionne itsme."}
      - id: m1-test
        type: test
        title: {nl: "Test aanmelden", fr: "Test se connecter"}
        quiz: cmi5-demo-bank
        pass_mark: 0.75
      - id: m1-forum
        type: forum
        title: {nl: "Forum", fr: "Forum"}
        prompt: {nl: "Deel een ervaring.", fr: "Partagez une expérience."}
        required_posts: 1
  - id: m2
    title: {nl: "Samen leren", fr: "Apprendre ensemble"}
    activities:
      - id: m2-forum
        type: forum
        title: {nl: "Forum 2", fr: "Forum 2"}
        prompt: {nl: "Vertel.", fr: "Racontez."}
        required_posts: 1
"""

WELCOME = {
    "nl": "Welkom bij de module.\n\n![Het plan van de module](img/plan.png)\n",
    "fr": "Bienvenue dans le module.\n\n![Le plan du module](img/plan.png)\n",
}

BANK = """\
id: cmi5-demo-bank
title: {nl: "Vragen over aanmelden", fr: "Questions sur la connexion"}
languages: [nl, fr]
questions:
  - id: sleutel
    type: single_choice
    prompt:
      nl: "Welke sleutel werkt met een smartphone?"
      fr: "Quelle clé fonctionne avec un smartphone ?"
    choices:
      - {id: a, text: {nl: "itsme", fr: "itsme"}, correct: true}
      - {id: b, text: {nl: "Een kaartlezer", fr: "Un lecteur de carte"}}
      - {id: c, text: {nl: "Een postzegel", fr: "Un timbre"}}
  - id: diensten
    type: multiple_choice
    prompt: {nl: "Welke sites gebruiken CSAM?", fr: "Quels sites utilisent CSAM ?"}
    choices:
      - {id: a, text: {nl: "MyMinfin", fr: "MyMinfin"}, correct: true}
      - {id: b, text: {nl: "mypension.be", fr: "mypension.be"}, correct: true}
      - {id: c, text: {nl: "Een webwinkel", fr: "Une boutique en ligne"}}
  - id: gratis
    type: true_false
    prompt: {nl: "itsme is gratis voor burgers.", fr: "itsme est gratuit pour les citoyens."}
    answer: true
  - id: koppelen
    type: matching
    prompt: {nl: "Wat hoort bij wat?", fr: "Qu'est-ce qui va avec quoi ?"}
    items:
      - {id: pension, text: {nl: "Pensioen", fr: "Pension"}, match: mypension}
      - {id: belasting, text: {nl: "Belastingen", fr: "Impôts"}, match: myminfin}
    options:
      - {id: mypension, text: {nl: "mypension.be", fr: "mypension.be"}}
      - {id: myminfin, text: {nl: "MyMinfin", fr: "MyMinfin"}}
  - id: volgorde
    type: ordering
    prompt: {nl: "Zet de stappen in volgorde.", fr: "Mettez les étapes dans l'ordre."}
    items:
      - {id: openen, text: {nl: "De app openen", fr: "Ouvrir l'app"}}
      - {id: code, text: {nl: "De code typen", fr: "Taper le code"}}
      - {id: bevestigen, text: {nl: "Bevestigen", fr: "Confirmer"}}
  - id: leeftijd
    type: short_answer
    prompt:
      nl: "Tot welke leeftijd zien ouders de gegevens van hun kind?"
      fr: "Jusqu'à quel âge les parents voient-ils les données de leur enfant ?"
    number: 16
"""

#: A 1x1 PNG.
PIXEL = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)


def write_content(root: Path) -> tuple[Path, Path]:
    """The course and quiz folders under ``root``."""
    courses, quizzes = root / "courses", root / "quizzes"
    (courses / "cmi5-demo" / "img").mkdir(parents=True)
    quizzes.mkdir(parents=True)
    (courses / "cmi5-demo.yaml").write_text(COURSE, encoding="utf-8")
    for lang, text in WELCOME.items():
        (courses / "cmi5-demo" / f"welkom.{lang}.md").write_text(text, encoding="utf-8")
    (courses / "cmi5-demo" / "img" / "plan.png").write_bytes(PIXEL)
    (quizzes / "cmi5-demo-bank.yaml").write_text(BANK, encoding="utf-8")
    return courses, quizzes
