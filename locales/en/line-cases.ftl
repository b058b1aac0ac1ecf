# LINE: cases, notes and the lists of referrals, where LINE's widgets need their own words.
line-note-asked-privately = I have asked you in your private chat with Panong: type it there.
line-note-open-chat = Please open your chat with Panong and type it there (/cancel there to stop).
line-details-open-chat = This month's LINE messages are used up, so the details cannot be sent to you from here. Open your chat with Panong, send /inbox and open this referral there.
# A referral on a quick reply (20 characters at most): the case's number and the need.
line-referral-choice = { $number } · { $need }
