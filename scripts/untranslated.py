"""List the French catalogue's untranslated or fuzzy messages (exit 1 if any)."""

import sys

from babel.messages.pofile import read_po

with open("spaces/translations/fr/LC_MESSAGES/messages.po", "rb") as handle:
    catalog = read_po(handle)


def done(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(strings) and not message.fuzzy


missing = [m.id for m in catalog if m.id and not done(m)]
for message in missing:
    print(repr(message))
sys.exit(1 if missing else 0)
