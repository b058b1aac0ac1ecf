# Coordinators: invites and users.

invite-ask-role = Whom do you want to invite?
invite-ask-organisation = Which organisation does the new { $role } belong to?
invite-created =
    Invite for a <b>{ $role }</b> of { $organisation }:
    { $link }

    Send this link to that one person only. It works once and expires in { $days } days.
invite-created-line = Or on LINE, with this link: { $link }
invite-redeemed-notice = { $name } has joined Panong as { $role } of { $organisation }.

users-title = <b>Users</b> (page { $page } of { $pages })
users-line = • { $name }: { $role }, { $organisation } ({ $state })
users-active = active
users-inactive = deactivated
button-deactivate = Deactivate { $name }
button-reactivate = Restore { $name }
users-confirm-deactivate = Deactivate { $name }? They will not be able to use Panong. Their cases stay.
users-confirm-reactivate = Restore { $name }'s access to Panong?
users-deactivated = { $name } is deactivated.
users-reactivated = { $name } can use Panong again.

invites-title = <b>Pending invites</b> (page { $page } of { $pages })
invites-none = No invite is waiting to be used.
invites-line = { $number }. { $role }, { $organisation }: made by { $creator }, works until { $date }
invites-from-server = the server (command line)
button-revoke-invite = Withdraw { $number }
invites-confirm-revoke = Withdraw the invite for a { $role } of { $organisation } made by { $creator }? Its link will stop working.
invites-revoked = The invite is withdrawn: its link no longer works.
