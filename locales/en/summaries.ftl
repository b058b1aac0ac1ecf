# /summary: the province report's tables, from Panong's own data.

summary-heading = 📊 <b>Summary: { $scope }</b>, { $period }
period-fy-named = fiscal year { $year } (from { $start })
period-since = since { $start }
period-all-time = all time
period-fy = This fiscal year
period-30d = Last 30 days
period-all = All time
scope-province = The province
scope-teacher = your cases
button-pick-district = A district…
button-pick-unit = A unit…

summary-children =
    <b>Children recorded: { $total }</b>
    Thai { $thai } · foreign { $foreign }
    Male { $male } · female { $female }
    Found { $found } · not found { $not_found }
summary-districts-title = <b>By district</b> (Thai, foreign)
table-district = District
table-found = Found
table-not-found = Not found
table-thai-foreign = TH FO
summary-ages-title = <b>By age group</b>
table-age = Age
table-thai = Thai
table-foreign = Foreign
summary-needs-title = <b>Support needed</b>
summary-causes-title = <b>Why they left school</b>
summary-count-line = • { $label }: { $count }
summary-returns-title = <b>Back in education (Table 5)</b>, per unit: referred, returned, %
summary-none-yet = none yet
table-unit = Unit
table-referred = Ref
table-returned = Back
summary-referrals-title = <b>Referrals</b>
summary-unrouted = • Waiting for the coordinators to find a unit: { $count }
summary-unit-referrals = • <b>{ $unit }</b>: sent { $sent }; waiting { $waiting } (overdue { $overdue }); accepted { $accepted }; in progress { $in_progress }; declined { $declined }; completed { $completed } ({ $outcomes }); { $median }
summary-outcome-count = { $outcome } { $count }
summary-median-days = median { $days } days to accept

# Files: the workbook, the CSV case list, the chart
button-xlsx = 📥 Excel
button-csv = 📄 CSV case list
button-chart = 📈 Chart
report-making = ⏳ Preparing the file…
report-progress = ⏳ Writing the case list { $bar } { $done } / { $total }
report-done = ✅ The file is ready.
report-made = The summary tables and the list of { $cases } cases (no names or identity numbers). Keep it within your office.
report-made-tables = The summary tables.
chart-returns-title = Back in education, % of children referred (Table 5)
summary-districts-title-plain = Children by district: Thai, foreign
summary-ages-title-plain = Children by age group: Thai, foreign
summary-needs-title-plain = Support needed
summary-causes-title-plain = Why they left school
table-item = Item
table-count = Children
sheet-total = Total
sheet-children = Children
sheet-districts = Districts
sheet-ages = Age groups
sheet-needs = Needs
sheet-causes = Causes
sheet-returns = Table 5
sheet-referrals = Referrals
sheet-cases = Cases
sheet-found-thai = Found, Thai
sheet-found-foreign = Found, foreign
sheet-not-found-thai = Not found, Thai
sheet-not-found-foreign = Not found, foreign
sheet-out-of-school = Children referred
sheet-returned = Back in education
sheet-percent = Per cent
sheet-sent = Sent
sheet-waiting = Waiting
sheet-overdue = Overdue
sheet-accepted = Accepted
sheet-in-progress = In progress
sheet-declined = Declined
sheet-completed = Completed
sheet-median-days = Median days to accept
sheet-case-code = Case
sheet-case-registered = Registered
sheet-case-district = District
sheet-case-subdistrict = Sub-district
sheet-case-found = Found
sheet-case-origin = Thai or foreign
sheet-case-nationality = Nationality
sheet-case-sex = Sex
sheet-case-age = Age group
sheet-case-cause = Cause
sheet-case-needs = Needs
sheet-case-status = Status
sheet-case-organisation = Registered by

# The survey table: children on imported lists
summary-lists-title = <b>Imported lists, by district</b> (Thai/foreign)
summary-pair = { $thai }/{ $foreign }
summary-list-line = • { $district }: listed { $listed }; found { $found }; not found { $not_found }; moved { $moved }; already studying { $studying }; still to locate { $to_locate }
sheet-lists = Imported lists
sheet-listed-thai = Listed, Thai
sheet-listed-foreign = Listed, foreign
lead-status-found = Found
lead-status-not_found = Not found (701)
lead-status-moved = Moved away
lead-status-studying = Already studying
lead-status-to_locate = Still to locate
