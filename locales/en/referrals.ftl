# Referrals: where each need goes, what the unit does with it, and the coordinators' queue.

referral-to-coordinators = the coordinators (to decide)
field-unit = Sent to
age-years = { $age } years

referral-status-proposed = not sent yet
referral-status-unrouted = waiting for the coordinators to find a unit
referral-status-sent = waiting for the unit's answer
referral-status-info_requested = the unit asked a question
referral-status-accepted = accepted
referral-status-accepted-by = accepted by { $name }
referral-status-in_progress = in progress
referral-status-in_progress-by = in progress with { $name }
referral-status-completed = completed
referral-status-completed-with = completed: { $outcome }
referral-status-declined = declined
referral-status-declined-because = declined: { $reason }
referral-status-cancelled = withdrawn
referral-status-cancelled-because = withdrawn: { $reason }

outcome-enrolled_school = enrolled in a school
outcome-enrolled_non_formal = enrolled in non-formal learning
outcome-vocational_training = in vocational training
outcome-employed = employed
outcome-other = other outcome

decline-outside_area = outside our area
decline-not_our_service = not a service we give
decline-age_limit = outside our age limits
decline-no_capacity = no place at the moment
decline-cannot_contact = cannot reach the family
decline-other = another reason

withdraw-sent_by_mistake = sent by mistake
withdraw-duplicate = the child already has this referral
withdraw-no_longer_needed = no longer needed
withdraw-child_moved = the child moved
withdraw-other = another reason
withdraw-no_unit = no unit can take it

# The referral message a unit sees: no name, no identity number, no guardian contact.
referral-title = 📨 <b>Referral: { $need }</b> · <code>{ $code }</code>
referral-you-took-it = You took this referral. The child's details are in your private chat.
details-title = 🔒 <b>For your unit only: do not forward.</b>
details-sent-privately = The child's details are in your private chat with me.

# The case card
card-referrals-title = <b>Referrals</b>
card-referral-line = • { $need } → { $unit }: { $state }
card-history-title = <b>History</b>
card-history-line = { $date } · { $who } · { $what }
card-history-note = : “{ $note }”
history-system = Panong
history-choose = changed where a need goes
history-send = sent
history-accept = accepted
history-decline = declined
history-ask = asked
history-answer = answered
history-start = started work
history-complete = recorded the outcome
history-withdraw = withdrew
history-reroute = sent it to another unit
history-dismiss = closed it: no unit can take it
history-reopen = reopened: the child dropped out again

# The teacher's routing plan, after a case is saved
plan-title = Where should each need of <b>{ $code }</b> go? Change any, then send.
plan-line = • { $need } → { $unit }
plan-nothing = Case { $code } has nothing waiting to be sent.
plan-sent = ✅ Referrals sent:
plan-later = Not sent yet. Open /case { $code } when you are ready to send.
button-change-destination = Change: { $need }
button-send = ✅ Send
button-later = Later
button-coordinators-decide = Let the coordinators decide

# The unit's buttons
button-accept = ✅ Accept
button-decline = ✖ Decline
button-ask = ❓ Ask for information
button-start = Work started
button-complete = Record the outcome
button-details = 🔒 Child's details
button-other-reason = Other (type it)
button-keep = Keep it
button-answer = Answer

# From the case card
button-send-referrals = Send the referrals
button-withdraw = Withdraw a referral
button-moved = The child moved
button-withdraw-one = { $need } → { $unit }
withdraw-which = Which referral do you want to withdraw?
withdraw-none = There is no referral left to withdraw.
withdraw-ask = Withdraw the referral of <b>{ $code }</b> for { $need } ({ $unit })? Why?
withdraw-done = Referral of { $code } for { $need } withdrawn. The unit has been told.
nothing-changed = Nothing was changed.

# The child moved
move-ask-district = Where does the child live now?
move-title = The child of <b>{ $code }</b> now lives in { $district }. These referrals are with units that do not cover it:
move-line = • { $need }: { $old } → { $new }
move-nothing = Recorded: the child of { $code } now lives in { $district }. Every open referral is with a unit that covers it.
button-reroute = Send them there
# /inbox and /queue
inbox-title = <b>Your unit's open referrals</b>: { $total } (page { $page } of { $pages }), the longest-waiting first
inbox-empty = Your unit has no open referrals.
queue-title = <b>Needs waiting for a unit</b>: { $total } (page { $page } of { $pages }), the oldest first
queue-empty = The queue is empty: every need has a unit.
referral-list-line = • <code>{ $code }</code> { $need }, { $age } years, { $district } → { $unit }: { $state } (since { $date })
button-open-referral = Open { $code } · { $need }
button-route-referral = Send { $code } · { $need }
button-dismiss = Close: no unit can take it
queue-dismissed = Closed: { $code } · { $need }. The teacher has been told.

# A unit's group
linkgroup-in-private = Send /linkgroup in your unit's group chat (add me to the group first).
linkgroup-done = ✅ This group now receives the referrals of { $unit }. Whoever presses Accept first takes a referral; the child's details go to them privately, never here.
unlinkgroup-done = This group no longer receives the referrals of { $unit }. They go to each focal point in private.

# Typed notes
note-ask-ask = Type your question for the teacher about <code>{ $code }</code> ({ $need }), at most { $limit } characters. /cancel to stop.
note-ask-answer = Type your answer about <code>{ $code }</code> ({ $need }), at most { $limit } characters. /cancel to stop.
note-ask-decline = Type why your unit declines <code>{ $code }</code> ({ $need }), at most { $limit } characters. /cancel to stop.
note-ask-withdraw = Type why you withdraw the referral of <code>{ $code }</code> ({ $need }), at most { $limit } characters. /cancel to stop.
note-saved-ask = Your question about { $code } was sent to the teacher.
note-saved-answer = Your answer about { $code } was sent to the unit.
note-saved-decline = Declined. The teacher and the coordinators have been told.
note-saved-withdraw = Withdrawn. The unit has been told.
note-cancelled = Nothing was sent.

# Notices
referral-queued-notice = 📥 A need waits for a unit: { $code } · { $need }. Send /queue to choose one.
referral-unit-unstaffed-notice = ⚠️ { $code } · { $need } was sent to { $unit }, which has no focal point on Panong yet. Invite one with /invite.
referral-accepted-notice = ✅ { $unit } accepted { $code } · { $need } ({ $actor }).
referral-declined-notice = ✖ { $unit } declined { $code } · { $need }: { $reason }{ $note ->
        [no-note] {""}
       *[other] {" "}(“{ $note }”)
    }. The coordinators will find another unit.
referral-declined-coordinator-notice = ✖ { $unit } declined { $code } · { $need }: { $reason }{ $note ->
        [no-note] {""}
       *[other] {" "}(“{ $note }”)
    }. Send /queue to send it elsewhere.
referral-question-notice = ❓ { $unit } asks about { $code } · { $need } ({ $actor }): “{ $question }”
referral-answer-notice = 💬 Answer about { $code } · { $need } ({ $actor }): “{ $answer }”. The referral waits for your decision again.
referral-answer-group-notice = 💬 { $actor } answered the question about { $code } · { $need }. The answer went to the unit's focal points privately; the referral waits for your decision again.
referral-started-notice = { $unit } started work on { $code } · { $need }.
referral-completed-notice = 🎉 { $unit } recorded the outcome of { $code } · { $need }: { $outcome }.
referral-withdrawn-notice = The referral of { $code } · { $need } was withdrawn by { $actor }: { $reason }{ $note ->
        [no-note] {""}
       *[other] {" "}(“{ $note }”)
    }.
referral-rerouted-notice = ➡️ { $code } · { $need } was sent to { $unit }.
referral-dismissed-notice = { $code } · { $need }: no unit can take it, so the coordinators closed it.
