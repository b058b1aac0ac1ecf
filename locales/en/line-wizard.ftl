# LINE: registering a child (/new) and sending the routing plan, where LINE differs.

line-ask-birth_date = <b>Date of birth</b>? Pick it with 📅, or type it like 15/3/2555 or 15 มี.ค. 2555. If you do not know it, press "Date not known".
line-pick-date = 📅 Pick the date
line-ask-location = Share the <b>location</b> with 📍 below, if it helps the next visit. (Skip if not.)
line-share-location = 📍 Share location
line-new-registered = ✅ Saved as case <b>{ $code }</b>.
line-choose-destination = Where should this need go? Choose a unit.
