# LINE: coordinators' tools and files on LINE.
reminders-line-pushes = LINE pushes in { $month }: { $pushes } of { $budget } ({ $left } left).
line-summary-pick-district = Which district's summary?
line-summary-pick-unit = Which unit's summary?
line-file-download = Download
line-file-expires = The link works for { $minutes } minutes and is for you only: do not forward it.
line-files-need-public-url = Files cannot be sent on LINE yet: Panong's server needs its public HTTPS address (PANONG_LINE_PUBLIC_URL). Nothing was made. Ask whoever runs Panong, or use Panong on Telegram.
line-file-not-fetched = The file could not be fetched from LINE just now. Please send it again.
