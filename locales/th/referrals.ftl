# การส่งต่อ: ความต้องการแต่ละข้อไปที่หน่วยงานใด หน่วยงานทำอะไรกับเรื่อง และคิวของผู้ประสานงาน

referral-to-coordinators = ผู้ประสานงาน (ให้พิจารณา)
field-unit = ส่งถึง
age-years = { $age } ปี

referral-status-proposed = ยังไม่ได้ส่ง
referral-status-unrouted = รอผู้ประสานงานหาหน่วยงาน
referral-status-sent = รอหน่วยงานตอบ
referral-status-info_requested = หน่วยงานถามข้อมูลเพิ่ม
referral-status-accepted = รับเรื่องแล้ว
referral-status-accepted-by = { $name } รับเรื่องแล้ว
referral-status-in_progress = กำลังดำเนินการ
referral-status-in_progress-by = { $name } กำลังดำเนินการ
referral-status-completed = เสร็จสิ้น
referral-status-completed-with = เสร็จสิ้น: { $outcome }
referral-status-declined = ปฏิเสธ
referral-status-declined-because = ปฏิเสธ: { $reason }
referral-status-cancelled = ถอนเรื่องแล้ว
referral-status-cancelled-because = ถอนเรื่อง: { $reason }

outcome-enrolled_school = เข้าเรียนในโรงเรียน
outcome-enrolled_non_formal = เข้าเรียนการศึกษานอกระบบ
outcome-vocational_training = ฝึกอาชีพ
outcome-employed = มีงานทำ
outcome-other = ผลอื่น

decline-outside_area = อยู่นอกพื้นที่รับผิดชอบ
decline-not_our_service = ไม่ใช่บริการของหน่วยงาน
decline-age_limit = อายุไม่อยู่ในเกณฑ์
decline-no_capacity = ขณะนี้ไม่มีที่ว่าง
decline-cannot_contact = ติดต่อครอบครัวไม่ได้
decline-other = เหตุผลอื่น

withdraw-sent_by_mistake = ส่งผิด
withdraw-duplicate = เด็กมีการส่งต่อนี้อยู่แล้ว
withdraw-no_longer_needed = ไม่ต้องการแล้ว
withdraw-child_moved = เด็กย้ายที่อยู่
withdraw-other = เหตุผลอื่น
withdraw-no_unit = ไม่มีหน่วยงานใดรับได้

# ข้อความส่งต่อที่หน่วยงานเห็น: ไม่มีชื่อ เลขประจำตัว หรือเบอร์ผู้ปกครอง
referral-title = 📨 <b>ส่งต่อ: { $need }</b> · <code>{ $code }</code>
referral-you-took-it = คุณรับเรื่องนี้แล้ว ข้อมูลเด็กอยู่ในแชตส่วนตัวของคุณ
details-title = 🔒 <b>สำหรับหน่วยงานของคุณเท่านั้น ห้ามส่งต่อ</b>
details-sent-privately = ข้อมูลเด็กอยู่ในแชตส่วนตัวของคุณกับบอตแล้ว

# บัตรเคส
card-referrals-title = <b>การส่งต่อ</b>
card-referral-line = • { $need } → { $unit }: { $state }
card-history-title = <b>ประวัติ</b>
card-history-line = { $date } · { $who } · { $what }
card-history-note = : “{ $note }”
history-system = Panong
history-choose = เปลี่ยนหน่วยงานที่จะส่ง
history-send = ส่งเรื่อง
history-accept = รับเรื่อง
history-decline = ปฏิเสธ
history-ask = ถาม
history-answer = ตอบ
history-start = เริ่มดำเนินการ
history-complete = บันทึกผล
history-withdraw = ถอนเรื่อง
history-reroute = ส่งไปหน่วยงานอื่น
history-dismiss = ปิดเรื่อง: ไม่มีหน่วยงานรับได้
history-reopen = เปิดเรื่องใหม่: เด็กออกกลางคันอีกครั้ง

# แผนการส่งต่อของครู หลังบันทึกเคส
plan-title = ความต้องการของ <b>{ $code }</b> ควรส่งไปที่ใด เปลี่ยนได้ แล้วกดส่ง
plan-line = • { $need } → { $unit }
plan-nothing = เคส { $code } ไม่มีเรื่องที่รอส่ง
plan-sent = ✅ ส่งต่อแล้ว:
plan-later = ยังไม่ได้ส่ง เมื่อพร้อมให้เปิด /case { $code } แล้วกดส่ง
button-change-destination = เปลี่ยน: { $need }
button-send = ✅ ส่ง
button-later = ไว้ทีหลัง
button-coordinators-decide = ให้ผู้ประสานงานพิจารณา

# ปุ่มของหน่วยงาน
button-accept = ✅ รับเรื่อง
button-decline = ✖ ปฏิเสธ
button-ask = ❓ ขอข้อมูลเพิ่ม
button-start = เริ่มดำเนินการแล้ว
button-complete = บันทึกผล
button-details = 🔒 ข้อมูลเด็ก
button-other-reason = อื่น ๆ (พิมพ์เหตุผล)
button-keep = คงไว้
button-answer = ตอบ

# จากบัตรเคส
button-send-referrals = ส่งต่อ
button-withdraw = ถอนการส่งต่อ
button-moved = เด็กย้ายที่อยู่
button-withdraw-one = { $need } → { $unit }
withdraw-which = ต้องการถอนการส่งต่อใด
withdraw-none = ไม่มีการส่งต่อที่ถอนได้แล้ว
withdraw-ask = ถอนการส่งต่อของ <b>{ $code }</b> เรื่อง{ $need } ({ $unit }) เพราะอะไร
withdraw-done = ถอนการส่งต่อของ { $code } เรื่อง{ $need } แล้ว แจ้งหน่วยงานแล้ว
nothing-changed = ไม่มีการเปลี่ยนแปลง

# เด็กย้ายที่อยู่
move-ask-district = ตอนนี้เด็กอยู่ที่อำเภอใด
move-title = เด็กของ <b>{ $code }</b> ย้ายไปอยู่{ $district } การส่งต่อต่อไปนี้อยู่กับหน่วยงานที่ไม่ได้ดูแลพื้นที่นั้น:
move-line = • { $need }: { $old } → { $new }
move-nothing = บันทึกแล้ว: เด็กของ { $code } อยู่{ $district } การส่งต่อที่ยังเปิดอยู่ทั้งหมดอยู่กับหน่วยงานที่ดูแลพื้นที่นั้น
button-reroute = ส่งไปที่นั่น
# /inbox และ /queue
inbox-title = <b>เรื่องส่งต่อที่หน่วยงานของคุณยังเปิดอยู่</b>: { $total } เรื่อง (หน้า { $page } จาก { $pages }) เรื่องที่รอนานที่สุดก่อน
inbox-empty = หน่วยงานของคุณไม่มีเรื่องส่งต่อที่เปิดอยู่
queue-title = <b>ความต้องการที่รอหน่วยงาน</b>: { $total } เรื่อง (หน้า { $page } จาก { $pages }) เรื่องเก่าที่สุดก่อน
queue-empty = คิวว่าง ทุกความต้องการมีหน่วยงานรับแล้ว
referral-list-line = • <code>{ $code }</code> { $need }, { $age } ปี, { $district } → { $unit }: { $state } (ตั้งแต่ { $date })
button-open-referral = เปิด { $code } · { $need }
button-route-referral = ส่ง { $code } · { $need }
button-dismiss = ปิดเรื่อง: ไม่มีหน่วยงานรับได้
queue-dismissed = ปิดเรื่องแล้ว: { $code } · { $need } แจ้งครูแล้ว

# กลุ่มของหน่วยงาน
linkgroup-in-private = พิมพ์ /linkgroup ในกลุ่มแชตของหน่วยงาน (เพิ่มบอตเข้ากลุ่มก่อน)
linkgroup-done = ✅ กลุ่มนี้จะได้รับเรื่องส่งต่อของ{ $unit } ผู้ที่กดรับเรื่องก่อนจะเป็นผู้รับ ข้อมูลเด็กจะส่งให้ผู้นั้นทางแชตส่วนตัว ไม่ส่งในกลุ่มนี้
unlinkgroup-done = กลุ่มนี้จะไม่ได้รับเรื่องส่งต่อของ{ $unit } อีก เรื่องจะส่งถึงผู้ประสานงานหน่วยงานแต่ละคนทางแชตส่วนตัว

# ข้อความที่พิมพ์
note-ask-ask = พิมพ์คำถามถึงครูเรื่อง <code>{ $code }</code> ({ $need }) ไม่เกิน { $limit } ตัวอักษร พิมพ์ /cancel เพื่อยกเลิก
note-ask-answer = พิมพ์คำตอบเรื่อง <code>{ $code }</code> ({ $need }) ไม่เกิน { $limit } ตัวอักษร พิมพ์ /cancel เพื่อยกเลิก
note-ask-decline = พิมพ์เหตุผลที่หน่วยงานปฏิเสธ <code>{ $code }</code> ({ $need }) ไม่เกิน { $limit } ตัวอักษร พิมพ์ /cancel เพื่อยกเลิก
note-ask-withdraw = พิมพ์เหตุผลที่ถอนการส่งต่อ <code>{ $code }</code> ({ $need }) ไม่เกิน { $limit } ตัวอักษร พิมพ์ /cancel เพื่อยกเลิก
note-saved-ask = ส่งคำถามเรื่อง { $code } ถึงครูแล้ว
note-saved-answer = ส่งคำตอบเรื่อง { $code } ถึงหน่วยงานแล้ว
note-saved-decline = ปฏิเสธแล้ว แจ้งครูและผู้ประสานงานแล้ว
note-saved-withdraw = ถอนเรื่องแล้ว แจ้งหน่วยงานแล้ว
note-cancelled = ไม่ได้ส่งอะไร

# การแจ้งเตือน
referral-queued-notice = 📥 มีความต้องการรอหน่วยงาน: { $code } · { $need } พิมพ์ /queue เพื่อเลือกหน่วยงาน
referral-unit-unstaffed-notice = ⚠️ { $code } · { $need } ส่งถึง{ $unit } แล้ว แต่หน่วยงานนี้ยังไม่มีผู้ประสานงานใน Panong เชิญได้ด้วย /invite
referral-accepted-notice = ✅ { $unit } รับเรื่อง { $code } · { $need } แล้ว ({ $actor })
referral-declined-notice = ✖ { $unit } ปฏิเสธ { $code } · { $need }: { $reason }{ $note ->
        [no-note] {""}
       *[other] {" "}(“{ $note }”)
    } ผู้ประสานงานจะหาหน่วยงานอื่น
referral-declined-coordinator-notice = ✖ { $unit } ปฏิเสธ { $code } · { $need }: { $reason }{ $note ->
        [no-note] {""}
       *[other] {" "}(“{ $note }”)
    } พิมพ์ /queue เพื่อส่งไปหน่วยงานอื่น
referral-question-notice = ❓ { $unit } ถามเรื่อง { $code } · { $need } ({ $actor }): “{ $question }”
referral-answer-notice = 💬 คำตอบเรื่อง { $code } · { $need } ({ $actor }): “{ $answer }” เรื่องนี้รอการตัดสินใจของหน่วยงานอีกครั้ง
referral-answer-group-notice = 💬 { $actor } ตอบคำถามเรื่อง { $code } · { $need } แล้ว คำตอบส่งถึงผู้ประสานงานของหน่วยงานทางแชตส่วนตัว เรื่องนี้รอการตัดสินใจของหน่วยงานอีกครั้ง
referral-started-notice = { $unit } เริ่มดำเนินการเรื่อง { $code } · { $need } แล้ว
referral-completed-notice = 🎉 { $unit } บันทึกผลของ { $code } · { $need }: { $outcome }
referral-withdrawn-notice = { $actor } ถอนการส่งต่อ { $code } · { $need }: { $reason }{ $note ->
        [no-note] {""}
       *[other] {" "}(“{ $note }”)
    }
referral-rerouted-notice = ➡️ ส่ง { $code } · { $need } ถึง{ $unit } แล้ว
referral-dismissed-notice = { $code } · { $need }: ไม่มีหน่วยงานใดรับได้ ผู้ประสานงานจึงปิดเรื่อง
