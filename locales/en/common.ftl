# Greeting, help, language and the command menu.

start-welcome = Hello { $name }, this is Panong: together we bring children back to school.
start-joined = Welcome to Panong. You joined as <b>{ $role }</b> of { $organisation }.
not-registered =
    Panong is only for invited teachers, agency staff and coordinators of the Zero Dropout programme.
    To get access, ask your province's education office (the Panong coordinator) for an invite link, then open it.
not-understood = I did not understand that. Send /help to see what you can do.
edited-message-ignored = Editing a sent message does not change an answer. Please send it again as a new message.
cancel-nothing = There is nothing to cancel.

help-teacher =
    <b>What you can do</b>
    /new: register a child you found
    /mycases: your cases and their status
    /locate: children from imported lists your school is to find
    /case CODE: open one case, e.g. /case SPK-2568-00042
    /summary: figures for your cases, unit or province
    /export, /chart: the same as an Excel file or a chart
    /link: use Panong on LINE (or Telegram) too, as the same account
    /language: ภาษาไทย / English
    /cancel: stop what you are doing
help-focal_point =
    { help-teacher }

    <b>Focal points</b>
    /inbox: your unit's open referrals
    /linkgroup: send in your unit's group to receive referrals there
    /unlinkgroup: stop receiving them in that group
help-coordinator =
    { help-teacher }

    <b>Coordinators</b>
    /queue: needs waiting for a unit
    /reminders: reminders overdue, due soon, or not delivered
    /invite: invite a teacher, a focal point or a coordinator
    /users: list users, deactivate or restore them
    /invites: invites not used yet; withdraw one
    /erase CODE: erase a child's personal data on request (PDPA); a list's reference for a child only on an imported list
    Send a CSV or XLSX list to import the children on it.

language-ask = Choose your language:
language-set = Panong will speak English with you from now on.

command-new = Register a child
command-mycases = My cases
command-case = Open a case by its code
command-summary = Summary, as in the report tables
command-locate = Children to locate
command-export = Excel file of the summary
command-chart = Chart of the summary
command-help = What I can do
command-link = Use Panong on another app too
command-language = Language
command-cancel = Cancel
command-invite = Invite a user
command-users = Users
command-invites = Pending invites
command-inbox = Open referrals
command-linkgroup = Receive referrals in a group
command-queue = Needs waiting for a unit
command-reminders = Reminders due and failed

button-back = ‹ Back
button-skip = Skip
button-cancel = ✖ Cancel
button-previous = ‹ Previous
button-next = Next ›
button-yes = Yes
button-no = No

role-teacher = Teacher
role-focal_point = Focal point
role-coordinator = Coordinator

value-not-given = –
card-line = <b>{ $label }:</b> { $value }

link-code =
    To use Panong on your other app too, as the same account, send this there within { $minutes } minutes:
    <code>/start { $code }</code>
link-code-telegram = On Telegram: { $link }
link-code-line = On LINE: { $link }
link-done = This app is now linked to your Panong account ({ $role } of { $organisation }). Notices come to the app you used last.
