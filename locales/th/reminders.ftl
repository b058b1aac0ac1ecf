# การเตือนติดตาม: ข้อความ ปุ่ม และภาพรวมของผู้ประสานงาน

reminder-unanswered = ⏰ <code>{ $code }</code> · { $need } รอ{ $unit }ตอบมา { $days } วันแล้ว โปรดรับเรื่อง หรือปฏิเสธเพื่อให้ผู้ประสานงานหาหน่วยงานอื่น
reminder-escalation = ⚠️ <code>{ $code }</code> · { $need } รอมา { $days } วันแล้ว และ{ $unit }ยังไม่ตอบ โปรดติดต่อหน่วยงาน หรือถอนการส่งต่อแล้วส่งไปที่อื่น
reminder-stalled = ⏰ { $unit } รับเรื่อง <code>{ $code }</code> · { $need } มา { $days } วันแล้ว ความคืบหน้าเป็นอย่างไร เมื่อมีผลแล้วโปรดบันทึกผล
reminder-question = ⏰ { $unit } ถามเรื่อง <code>{ $code }</code> · { $need } มา { $days } วันแล้ว และรอคำตอบจากคุณ
reminder-attendance = 🏫 <code>{ $code }</code> กลับเข้าเรียนมา { $days } วันแล้ว เด็กยังมาเรียนอยู่หรือไม่
reminder-data_round = 🏫 โรงเรียนจะยืนยันรายชื่อนักเรียนวันที่ { $round } เด็กของ <code>{ $code }</code> ยังมาเรียนอยู่หรือไม่
reminder-follow_up = ⏰ คุณขอให้เตือนเรื่อง <code>{ $code }</code> พิมพ์ /case { $code } เพื่อเปิดดู
reminder-unreachable = ⚠️ ติดต่อ { $name } ไม่ได้ เพราะบล็อกบอตไว้ การเตือนนี้จึงส่งถึงคุณแทน: { $what }, <code>{ $code }</code>

reminder-what-unanswered = เรื่องส่งต่อที่รอคำตอบ
reminder-what-escalation = เรื่องส่งต่อที่ไม่มีใครตอบ
reminder-what-stalled = เรื่องที่รับแล้วแต่ยังไม่มีผล
reminder-what-question = คำถามของหน่วยงานที่รอคำตอบ
reminder-what-attendance = เด็กยังมาเรียนหรือไม่
reminder-what-data_round = เด็กยังมาเรียนหรือไม่ (รอบยืนยันข้อมูล)
reminder-what-follow_up = การติดตามที่ครูขอให้เตือน

button-snooze-1 = 💤 พรุ่งนี้
button-snooze-7 = 💤 อีกหนึ่งสัปดาห์
button-attend-yes = ✅ ยังเรียนอยู่
button-attend-no = ✖ ไม่ ออกกลางคันอีก
button-attend-moved = 🚚 ย้ายที่อยู่
button-attend-unknown = ❔ ไม่ทราบ
reminder-snoozed = จะเตือนอีกครั้งวันที่ { $date }
attendance-answered-yes = ✅ บันทึกแล้ว: เด็กของ { $code } ยังมาเรียนอยู่ ขอบคุณ
attendance-answered-no = บันทึกแล้ว: เด็กของ { $code } ออกกลางคันอีกครั้ง แจ้งผู้ประสานงานแล้วเพื่อหาความช่วยเหลืออีกครั้ง
attendance-answered-moved = บันทึกแล้ว: เด็กของ { $code } ย้ายที่อยู่
attendance-answered-unknown = บันทึกแล้ว: ยังไม่ทราบว่าเด็กของ { $code } ยังมาเรียนหรือไม่ โปรดตรวจสอบเมื่อสะดวก
attendance-dropped-notice = ⚠️ เด็กของ <code>{ $code }</code> ออกกลางคันอีกครั้ง ({ $actor }) ความต้องการ{ $need } กลับเข้า /queue แล้ว

# "เตือนฉัน" ในบัตรเคส
button-remind-me = ⏰ เตือนฉัน
button-remind-in-1 = พรุ่งนี้
button-remind-in-3 = อีก 3 วัน
button-remind-in-7 = อีกหนึ่งสัปดาห์
button-remind-in-14 = อีก 2 สัปดาห์
button-remind-on-date = ระบุวัน…
remind-ask = ให้เตือนเมื่อไร
remind-set = ⏰ จะเตือนวันที่ { $date } ช่วงเช้า
note-ask-remind = พิมพ์วันที่ต้องการให้เตือนเรื่อง <code>{ $code }</code> เช่น 15/1/2569 หรือ 15 ม.ค. 2569 (พ.ศ. หรือ ค.ศ. ก็ได้) พิมพ์ /cancel เพื่อยกเลิก

# /reminders
reminders-title = <b>การเตือน</b>
reminders-overdue = เลยกำหนด (ถึงเวลาแล้วแต่ยังไม่ส่ง: ช่วงเวลางดเตือนหรือบอตหยุดทำงาน): { $count }
reminders-due = ถึงกำหนดใน 24 ชั่วโมง: { $count }
reminders-line = • { $when } · <code>{ $code }</code> · { $kind }
reminders-failed = ส่งไม่สำเร็จ: { $count }
reminders-failed-line = • แชต { $chat }: { $error }
