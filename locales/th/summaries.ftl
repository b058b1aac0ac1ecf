# /summary: ตารางตามรายงานของจังหวัด จากข้อมูลใน Panong

summary-heading = 📊 <b>สรุป: { $scope }</b> { $period }
period-fy-named = ปีงบประมาณ { $year } (ตั้งแต่ { $start })
period-since = ตั้งแต่ { $start }
period-all-time = ตลอดช่วงเวลา
period-fy = ปีงบประมาณนี้
period-30d = 30 วันที่ผ่านมา
period-all = ทั้งหมด
scope-province = ทั้งจังหวัด
scope-teacher = เคสของคุณ
button-pick-district = เลือกอำเภอ…
button-pick-unit = เลือกหน่วยงาน…

summary-children =
    <b>เด็กที่บันทึก: { $total } คน</b>
    ไทย { $thai } · ต่างด้าว { $foreign }
    ชาย { $male } · หญิง { $female }
    พบตัว { $found } · ไม่พบตัว { $not_found }
summary-districts-title = <b>รายอำเภอ</b> (ไทย, ต่างด้าว)
table-district = อำเภอ
table-found = พบตัว
table-not-found = ไม่พบตัว
table-thai-foreign = ไทย ตด.
summary-ages-title = <b>ตามช่วงอายุ</b>
table-age = อายุ
table-thai = ไทย
table-foreign = ต่างด้าว
summary-needs-title = <b>ความช่วยเหลือที่ต้องการ</b>
summary-causes-title = <b>สาเหตุที่หลุดจากระบบการศึกษา</b>
summary-count-line = • { $label }: { $count }
summary-returns-title = <b>กลับเข้าสู่ระบบการศึกษา (ตารางที่ 5)</b> รายหน่วยงาน: ส่งต่อ, กลับเข้าเรียน, ร้อยละ
summary-none-yet = ยังไม่มี
table-unit = หน่วยงาน
table-referred = ส่งต่อ
table-returned = กลับ
summary-referrals-title = <b>การส่งต่อ</b>
summary-unrouted = • รอผู้ประสานงานหาหน่วยงาน: { $count }
summary-unit-referrals = • <b>{ $unit }</b>: ส่ง { $sent }; รอตอบ { $waiting } (เกินกำหนด { $overdue }); รับเรื่อง { $accepted }; กำลังดำเนินการ { $in_progress }; ปฏิเสธ { $declined }; เสร็จสิ้น { $completed } ({ $outcomes }); { $median }
summary-outcome-count = { $outcome } { $count }
summary-median-days = รับเรื่องภายในค่ามัธยฐาน { $days } วัน

# ไฟล์: สมุดงาน Excel รายชื่อเคส CSV และแผนภูมิ
button-xlsx = 📥 Excel
button-csv = 📄 รายการเคส CSV
button-chart = 📈 แผนภูมิ
report-making = ⏳ กำลังเตรียมไฟล์…
report-progress = ⏳ กำลังเขียนรายการเคส { $bar } { $done } / { $total }
report-done = ✅ ไฟล์พร้อมแล้ว
report-made = ตารางสรุปและรายการเคส { $cases } เคส (ไม่มีชื่อหรือเลขประจำตัว) โปรดใช้ภายในหน่วยงานเท่านั้น
report-made-tables = ตารางสรุป
chart-returns-title = กลับเข้าสู่ระบบการศึกษา ร้อยละของเด็กที่ส่งต่อ (ตารางที่ 5)
summary-districts-title-plain = เด็กรายอำเภอ: ไทย, ต่างด้าว
summary-ages-title-plain = เด็กตามช่วงอายุ: ไทย, ต่างด้าว
summary-needs-title-plain = ความช่วยเหลือที่ต้องการ
summary-causes-title-plain = สาเหตุที่หลุดจากระบบการศึกษา
table-item = รายการ
table-count = จำนวนเด็ก
sheet-total = รวม
sheet-children = เด็ก
sheet-districts = รายอำเภอ
sheet-ages = ช่วงอายุ
sheet-needs = ความต้องการ
sheet-causes = สาเหตุ
sheet-returns = ตารางที่ 5
sheet-referrals = การส่งต่อ
sheet-cases = รายการเคส
sheet-found-thai = พบตัว ไทย
sheet-found-foreign = พบตัว ต่างด้าว
sheet-not-found-thai = ไม่พบตัว ไทย
sheet-not-found-foreign = ไม่พบตัว ต่างด้าว
sheet-out-of-school = เด็กที่ส่งต่อ
sheet-returned = กลับเข้าสู่ระบบการศึกษา
sheet-percent = ร้อยละ
sheet-sent = ส่ง
sheet-waiting = รอตอบ
sheet-overdue = เกินกำหนด
sheet-accepted = รับเรื่อง
sheet-in-progress = กำลังดำเนินการ
sheet-declined = ปฏิเสธ
sheet-completed = เสร็จสิ้น
sheet-median-days = ค่ามัธยฐานวันที่รับเรื่อง
sheet-case-code = เคส
sheet-case-registered = วันที่บันทึก
sheet-case-district = อำเภอ
sheet-case-subdistrict = ตำบล
sheet-case-found = การพบตัว
sheet-case-origin = ไทยหรือต่างด้าว
sheet-case-nationality = สัญชาติ
sheet-case-sex = เพศ
sheet-case-age = ช่วงอายุ
sheet-case-cause = สาเหตุ
sheet-case-needs = ความต้องการ
sheet-case-status = สถานะ
sheet-case-organisation = บันทึกโดย

# ตารางการสำรวจ: เด็กในรายชื่อที่นำเข้า
summary-lists-title = <b>รายชื่อที่นำเข้า รายอำเภอ</b> (ไทย/ต่างด้าว)
summary-pair = { $thai }/{ $foreign }
summary-list-line = • { $district }: ในรายชื่อ { $listed }; พบตัว { $found }; ไม่พบตัว { $not_found }; ย้ายที่อยู่ { $moved }; กำลังศึกษาอยู่แล้ว { $studying }; ยังต้องติดตาม { $to_locate }
sheet-lists = รายชื่อที่นำเข้า
sheet-listed-thai = ในรายชื่อ ไทย
sheet-listed-foreign = ในรายชื่อ ต่างด้าว
lead-status-found = พบตัว
lead-status-not_found = ไม่พบตัว (701)
lead-status-moved = ย้ายที่อยู่
lead-status-studying = กำลังศึกษาอยู่แล้ว
lead-status-to_locate = ยังต้องติดตาม
