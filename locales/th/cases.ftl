# รายการเคสของครู และบัตรเคส

mycases-empty = คุณยังไม่ได้บันทึกเด็กคนใด พิมพ์ /new เพื่อบันทึก
mycases-title = <b>เคสของคุณ</b>: { $total } เคส (หน้า { $page } จาก { $pages })
mycases-line = • <code>{ $code }</code> { $name }: { $status }, { $district }, { $date }
button-open-case = เปิด { $code }
case-usage = พิมพ์รหัสเคสต่อท้ายคำสั่ง เช่น /case SPK-2568-00042
case-card-title = <b>เคส { $code }</b>
case-glimpse =
    <b>เคส { $code }</b> อยู่ในความดูแลของ{ $organisation } (บันทึกเมื่อ { $date }, { $status })
    คุณดูรายละเอียดไม่ได้ โปรดให้ผู้ประสานงานตรวจสอบว่าเป็นเด็กคนเดียวกันหรือไม่
registered-by = { $name }, { $organisation }, { $date }
status-open = บันทึกแล้ว ยังไม่ส่งต่อ
status-referred = ส่งต่อแล้ว
status-in_progress = กำลังดำเนินการ
status-completed = เสร็จสิ้น
status-closed = ปิดแล้ว

field-status = สถานะ
field-name = ชื่อ
field-sex = เพศ
field-identity = เอกสารประจำตัว
field-nationality = สัญชาติ
field-age = อายุ
field-place = ที่อยู่ (อำเภอ)
field-address = ที่อยู่/จุดสังเกต
field-location = ตำแหน่ง
field-found = การพบตัว
field-cause = สาเหตุ
field-guardian = ผู้ปกครอง
field-consent = ความยินยอม
field-needs = ความต้องการ
field-wish = ความประสงค์
field-registered = บันทึกโดย
field-duplicate = อาจเป็นเด็กคนเดียวกับ

age-with-birth-date = { $age } ปี (เกิด { $born })
age-approximate = ประมาณ { $age } ปี
age-group-3-5 = ช่วงอายุ 3–5 ปี
age-group-6-15 = ช่วงอายุ 6–15 ปี
age-group-16-18 = ช่วงอายุ 16–18 ปี
age-group-outside = นอกช่วง 3–18 ปี
location-shared = ปักหมุดแล้ว

# การลบข้อมูลส่วนบุคคลของเด็ก (PDPA)
erase-usage = พิมพ์รหัสเคสต่อท้ายคำสั่ง เช่น /erase SPK-2568-00042 หรือเลขอ้างอิงในรายชื่อที่นำเข้า สำหรับเด็กที่มีอยู่ในรายชื่อเท่านั้น
erase-ask = ลบข้อมูลส่วนบุคคลของ <b>{ $code }</b> หรือไม่ ชื่อ เลขประจำตัว วันเกิด ผู้ปกครอง ที่อยู่ ข้อความที่พิมพ์ในการส่งต่อ และแถวของเด็กในรายชื่อที่นำเข้าจะถูกลบถาวร ส่วนข้อมูลสถิติที่ไม่ระบุตัวตน (เพศ ปีเกิด อำเภอ สาเหตุ ความต้องการ การส่งต่อ) ยังคงอยู่
erase-ask-lead = ลบข้อมูลส่วนบุคคลของเด็กในรายชื่อที่นำเข้า เลขอ้างอิง <b>{ $ref }</b> หรือไม่ ชื่อ เลขประจำตัว วันเกิด ตำบล และเบอร์โทรผู้ปกครองจะถูกลบถาวร จากทุกแถวที่มีเลขประจำตัวเดียวกัน ส่วนข้อมูลสถิติที่ไม่ระบุตัวตน (เพศ ปีเกิด อำเภอ ผลการติดตามของโรงเรียน) ยังคงอยู่
button-erase = 🗑 ลบ
erase-done = ลบแล้ว: ข้อมูลส่วนบุคคลของ { $code } (ลบข้อความ { $notes } รายการ ลบแถวในรายชื่อที่นำเข้า { $rows } แถว) เคสยังนับอยู่ในสถิติ
erase-done-lead = ลบแล้ว: ข้อมูลส่วนบุคคลของเลขอ้างอิง { $ref } ในรายชื่อที่นำเข้า ({ $rows } แถว) เด็กยังนับอยู่ในสถิติ
