# Importing lists of children to locate, and /locate for the schools.

error-import-coordinators-only = Only coordinators can import lists. Ask your provincial education office.
import-reading = ⏳ Reading the list…
import-progress = ⏳ Checked { $done } rows…
import-done =
    ✅ <b>List imported</b>: { $total } rows.
    Added: { $added } · already known: { $already } · rejected: { $rejected }
    No school covers the district of { $unassigned } of them.
import-rejected-file = The rejected rows, each with its reason. Correct them and send the file again: rows already imported are not added twice.
import-column-line = Line
import-column-ref = Reference
import-column-reason = Reason
import-error-empty = The file is empty.
import-error-encoding = The file is not in UTF-8. In Excel choose "Save as: CSV UTF-8", or send the XLSX file itself.
import-error-not-a-table = This is not a CSV or XLSX list.
import-error-missing-columns = The list lacks the columns: { $columns }. The README lists the headers Panong reads, in Thai or English.
import-error-too-many-rows = The list has more than { $limit } rows. Split it, please.
import-error-too-large = The file is larger than 20 MB, the most a bot can download.
import-error-ref = The reference is missing.
import-error-duplicate-in-file = The same reference appears earlier in the file.
import-error-sex = The sex is missing or not understood (male/female, ชาย/หญิง).
import-error-district = The district is missing or not in this province.
import-error-birth = Neither a birth date nor an age is given.
import-error-too-slow = Reading the list took longer than { $seconds } seconds, so it was stopped. Nothing was imported. Send a plain list (one sheet, no pictures or formulas) or split it.
import-error-too-complex = The file is too large or too complex to read safely. Nothing was imported. Send a plain list: one sheet, with no cells far below or to the right of the list.
import-error-cell-too-long = Line { $line } has a cell longer than { $limit } characters: this is not a list of names. Nothing was imported.
import-error-unpacked-too-large = The XLSX file unpacks to more than { $limit } MB. Nothing was imported. Split the list, or send it as CSV.
import-error-packed-too-tight = The XLSX file is compressed more than { $ratio } times, which a list never is: it may be harmful. Nothing was imported.
import-error-nationality = The nationality "{ $value }" is not understood (Thai, Myanmar, Cambodian, Lao, other or unknown; ไทย, เมียนมา, กัมพูชา, ลาว).
import-error-age-outside = The child is { $age } years old, outside the ages 3–18 this programme locates.
import-stopped = Reading stopped after line { $line }: { $blank } blank lines followed it, and nothing after them was read. Remove the blank lines and send the rest again if the list goes on.
import-leads-notice = 📋 { $count ->
        [one] 1 child from an imported list was
       *[other] { $count } children from an imported list were
    } given to your school to locate ({ $waiting } in all). Send /locate to see them.

locate-empty = Your school has no children to locate.
locate-title = <b>Children to locate</b>: { $total } (page { $page } of { $pages })
locate-line = • { $name }, about { $age } years, { $place }
button-open-lead = { $name }
lead-title = <b>{ $name }</b> (list reference { $ref })
lead-ask = Did you find the child?
lead-result-found = ✅ Found
lead-result-not_found = ✖ Not found (701)
lead-result-moved = 🚚 Moved away
lead-result-studying = 🏫 Already studying
lead-marked-found = Found: { $name }. Register the child with /new to send the help they need.
lead-marked-not_found = Not found: { $name } (code 701).
lead-marked-moved = Moved away: { $name }.
lead-marked-studying = Already studying: { $name }.
