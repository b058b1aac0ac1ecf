# /new: registering a found child, one step at a time.

new-intro = Let's register the child you found. Answer each question, by buttons where there are some. ‹ Back goes one step back; /cancel stops without saving.
new-resumed = You have a registration under way; here is where you left it. Send /cancel to discard it and start again.
new-cancelled = Registration cancelled. Nothing was saved.
new-registered = ✅ Saved as case <b>{ $code }</b>. Send /mycases to see your cases.
new-opened-existing = Registration stopped; here is the existing case.

ask-given_name = What is the child's <b>given name</b>?
ask-family_name = What is the child's <b>family name</b>? (Skip if not known.)
ask-nickname = A <b>nickname</b>? (Skip if none.)
ask-sex = <b>Sex</b> of the child?
ask-id_type = Which <b>identity document</b> does the child have?
ask-id_number = Type the <b>number</b> of that document.
ask-nationality = <b>Nationality</b>?
ask-birth_date = <b>Date of birth</b>? Type it like 15/3/2555 or 15 มี.ค. 2555. If you do not know it, press the button.
ask-age = About how <b>old</b> is the child? Press or type the age in years.
ask-age_confirm = The child is { $age } years old, outside the 3–18 years Panong is for. Register anyway?
ask-district = In which <b>district</b> does the child live?
ask-subdistrict = Which <b>subdistrict</b>?
ask-address = <b>Address</b> or landmark? (Skip if none.)
ask-location = Share the <b>location</b> with 📎 → Location, if it helps the next visit. (Skip if not.)
ask-found = Did you <b>meet the child</b> in person?
ask-cause = Why did the child <b>leave school</b>?
ask-guardian_name = <b>Guardian's</b> name? (Skip if not known.)
ask-guardian_phone = Guardian's <b>phone number</b>? A foreign number with + and its country code. (Skip if not known.)
ask-consent = Did the guardian <b>agree</b> that Panong shares the child's data with the agencies that can help?
ask-needs = Which <b>support</b> does the child need? Press each that applies, then Done.
needs-chosen = Chosen: { $needs }
ask-wish = What does the child <b>wish</b> to do?
ask-edit = What do you want to change?
ask-duplicates = This child may already be registered: { $codes }. Open the existing case, or register anyway?
ask-duplicates-withheld = This child may already be registered. It cannot be shown to you now, as you have checked many possible matches today; a coordinator can check it. Register anyway?
duplicates-more-withheld = There may be more matches; a coordinator can check them.

summary-title = <b>Please check before saving</b>
summary-missing = Some answers are still missing; please complete them.
summary-confirm = ✅ Confirm and save
summary-edit = ✏️ Edit

edit-name = Name
edit-sex = Sex
edit-identity = Identity
edit-nationality = Nationality
edit-birth = Age
edit-place = Where
edit-found = Found
edit-cause = Cause
edit-guardian = Guardian
edit-consent = Consent
edit-needs = Needs and wishes

duplicates-register = Register anyway

sex-male = Male
sex-female = Female

id-type-thai_id = Thai ID (13 digits)
id-type-g_code = MOE G-code
id-type-foreign_doc = Foreign document
id-type-none = No document

nationality-thai = Thai
nationality-myanmar = Myanmar
nationality-cambodian = Cambodian
nationality-lao = Lao
nationality-other = Other
nationality-unknown = Unknown

birth-date-unknown = Date not known
age-confirm-yes = Yes, register
age-confirm-change = Change the age
subdistrict-unknown = Not known

found-yes = Found in person
found-no = Not found

cause-FAMILY_NECESSITY = Family necessity
cause-RELOCATION = Moved away
cause-FAMILY_CONDITION = Family circumstances
cause-HEALTH = Health
cause-LOW_INCOME = Guardian's income too low
cause-TRANSPORT = Travel to school too hard
cause-SOCIAL_ADJUSTMENT = Difficulty fitting in
cause-DISABILITY = Disability
cause-DISASTER = Affected by a disaster
cause-MISCONDUCT = Behaviour against school rules
cause-unknown = Not known

consent-given = Agreed
consent-refused = Refused
consent-not_asked = Not asked yet

need-EDUCATION = Education
need-HEALTH = Health
need-VOCATIONAL_SKILLS = Vocational skills
need-CONSUMABLES = Food and supplies
needs-none = No support needed
needs-done = Done ›

wish-school = Back to a school
wish-non_formal = Non-formal learning
wish-vocational = Vocational education
wish-work_and_study = Work and study
wish-no_study = Does not wish to study
