# A teacher's case list and the case card.

mycases-empty = You have not registered any child yet. Send /new to register one.
mycases-title = <b>Your cases</b>: { $total } (page { $page } of { $pages })
mycases-line = • <code>{ $code }</code> { $name }: { $status }, { $district }, { $date }
button-open-case = Open { $code }
case-usage = Send the case code after the command, e.g. /case SPK-2568-00042
case-card-title = <b>Case { $code }</b>
case-glimpse =
    <b>Case { $code }</b> is held by { $organisation } (registered { $date }, { $status }).
    You cannot see its details: ask your coordinator to check whether it is the same child.
registered-by = { $name }, { $organisation }, { $date }
status-open = registered, not sent
status-referred = referred
status-in_progress = in progress
status-completed = completed
status-closed = closed

field-status = Status
field-name = Name
field-sex = Sex
field-identity = Identity
field-nationality = Nationality
field-age = Age
field-place = Where
field-address = Address
field-location = Location
field-found = Found
field-cause = Cause
field-guardian = Guardian
field-consent = Consent
field-needs = Needs
field-wish = Wishes
field-registered = Registered
field-duplicate = Possibly the same child as

age-with-birth-date = { $age } years (born { $born })
age-approximate = about { $age } years
age-group-3-5 = age group 3–5
age-group-6-15 = age group 6–15
age-group-16-18 = age group 16–18
age-group-outside = outside 3–18
location-shared = pin shared

# Erasing a child's personal data (PDPA)
erase-usage = Send the case code after the command, e.g. /erase SPK-2568-00042, or for a child who is only on an imported list, the list's reference.
erase-ask = Erase the personal data of <b>{ $code }</b>? The name, identity number, birth date, guardian, address, the notes typed on its referrals and the child's rows on imported lists are removed for good. The anonymous figures (sex, birth year, district, cause, needs, referrals) stay.
erase-ask-lead = Erase the personal data of the child on an imported list with the reference <b>{ $ref }</b>? The name, identity number, birth date, sub-district and guardian phone are removed for good, from every list row with the same identity number. The anonymous figures (sex, birth year, district, what the school found) stay.
button-erase = 🗑 Erase
erase-done = Erased: the personal data of { $code } ({ $notes } notes blanked, { $rows } imported-list rows erased). The case stays in the figures.
erase-done-lead = Erased: the personal data of the list reference { $ref } ({ $rows } imported-list rows). The child stays in the figures.
