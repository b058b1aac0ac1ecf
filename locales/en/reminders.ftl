# Follow-up reminders: what they say, their buttons, and the coordinators' overview.

reminder-unanswered = ⏰ <code>{ $code }</code> · { $need } has waited { $days } days for an answer from { $unit }. Please accept it, or decline it so that the coordinators can find another unit.
reminder-escalation = ⚠️ <code>{ $code }</code> · { $need } has waited { $days } days and { $unit } has not answered. Please contact the unit, or withdraw the referral and send it elsewhere.
reminder-stalled = ⏰ { $unit } accepted <code>{ $code }</code> · { $need } { $days } days ago. How is it going? Record the outcome when there is one.
reminder-question = ⏰ { $unit } asked about <code>{ $code }</code> · { $need } { $days } days ago and waits for your answer.
reminder-attendance = 🏫 <code>{ $code }</code> went back to learning { $days } days ago. Is the child still attending?
reminder-data_round = 🏫 Schools confirm their rolls on { $round }. Is the child of <code>{ $code }</code> still attending?
reminder-follow_up = ⏰ You asked me to remind you of <code>{ $code }</code>. Send /case { $code } to open it.
reminder-unreachable = ⚠️ { $name } cannot be reached: they blocked the bot. Their reminder, for you instead: { $what }, <code>{ $code }</code>.

reminder-what-unanswered = a referral waiting for an answer
reminder-what-escalation = a referral left unanswered
reminder-what-stalled = an accepted referral with no outcome yet
reminder-what-question = a unit's question waiting for an answer
reminder-what-attendance = is the child still attending?
reminder-what-data_round = is the child still attending? (data round)
reminder-what-follow_up = a follow-up the teacher asked for

button-snooze-1 = 💤 Tomorrow
button-snooze-7 = 💤 In a week
button-attend-yes = ✅ Yes
button-attend-no = ✖ No, dropped out
button-attend-moved = 🚚 Moved away
button-attend-unknown = ❔ Don't know
reminder-snoozed = I will remind you again on { $date }.
attendance-answered-yes = ✅ Noted: the child of { $code } is still attending. Thank you.
attendance-answered-no = Noted: the child of { $code } dropped out again. The coordinators have been told and will find help again.
attendance-answered-moved = Noted: the child of { $code } moved away.
attendance-answered-unknown = Noted: you do not know whether the child of { $code } still attends. Please check when you can.
attendance-dropped-notice = ⚠️ The child of <code>{ $code }</code> dropped out again ({ $actor }). The need { $need } is back in /queue.

# "Remind me" on a case
button-remind-me = ⏰ Remind me
button-remind-in-1 = Tomorrow
button-remind-in-3 = In 3 days
button-remind-in-7 = In a week
button-remind-in-14 = In 2 weeks
button-remind-on-date = On a date…
remind-ask = When shall I remind you?
remind-set = ⏰ I will remind you on { $date }, in the morning.
note-ask-remind = Type the day to be reminded of <code>{ $code }</code>, e.g. 15/1/2569 or 15 ม.ค. 2569 (either era). /cancel to stop.

# /reminders
reminders-title = <b>Reminders</b>
reminders-overdue = Overdue (due, not sent yet: quiet hours or the bot was down): { $count }
reminders-due = Due in the next 24 hours: { $count }
reminders-line = • { $when } · <code>{ $code }</code> · { $kind }
reminders-failed = Could not be delivered: { $count }
reminders-failed-line = • chat { $chat }: { $error }
