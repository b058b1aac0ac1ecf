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
