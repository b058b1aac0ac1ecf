# LINE's rich menu: the buttons below the chat (each at most 20 characters), one menu per
# role; a button sends the command beside it, as if typed.
menu-chat-bar = Menu
menu-new = Register a child
menu-mycases = My cases
menu-locate = Children to find
menu-summary = Summary
menu-language = Language
menu-help = Help
menu-inbox = Referrals inbox
menu-queue = Queue
menu-invite = Invite
menu-export = Export
menu-users = Users
