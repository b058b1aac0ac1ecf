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
