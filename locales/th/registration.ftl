# /new: บันทึกเด็กที่พบ ทีละขั้น

new-intro = มาบันทึกข้อมูลเด็กที่พบกันครับ ตอบทีละคำถาม กดปุ่มได้เมื่อมีปุ่มให้เลือก ‹ ย้อนกลับ เพื่อกลับไปขั้นก่อน หรือ /cancel เพื่อหยุดโดยไม่บันทึก
new-resumed = คุณมีการบันทึกที่ยังไม่เสร็จ นี่คือขั้นที่ค้างไว้ พิมพ์ /cancel หากต้องการทิ้งแล้วเริ่มใหม่
new-cancelled = ยกเลิกการบันทึกแล้ว ไม่มีข้อมูลถูกบันทึก
new-registered = ✅ บันทึกแล้ว รหัสเคส <b>{ $code }</b> พิมพ์ /mycases เพื่อดูเคสของคุณ
new-opened-existing = หยุดการบันทึกแล้ว นี่คือเคสที่มีอยู่

ask-given_name = <b>ชื่อ</b>ของเด็ก?
ask-family_name = <b>นามสกุล</b>? (กดข้ามหากไม่ทราบ)
ask-nickname = <b>ชื่อเล่น</b>? (กดข้ามหากไม่มี)
ask-sex = <b>เพศ</b>ของเด็ก?
ask-id_type = เด็กมี<b>เอกสารประจำตัว</b>แบบใด?
ask-id_number = พิมพ์<b>เลข</b>ของเอกสารนั้น
ask-nationality = <b>สัญชาติ</b>?
ask-birth_date = <b>วันเกิด</b>? พิมพ์แบบ 15/3/2555 หรือ 15 มี.ค. 2555 หากไม่ทราบ กดปุ่มด้านล่าง
ask-age = เด็ก<b>อายุ</b>ประมาณกี่ปี? กดปุ่มหรือพิมพ์ตัวเลข
ask-age_confirm = เด็กอายุ { $age } ปี อยู่นอกช่วง 3–18 ปีที่พาน้องดูแล ยืนยันจะบันทึกหรือไม่?
ask-district = เด็กอาศัยอยู่<b>อำเภอ</b>ใด?
ask-subdistrict = <b>ตำบล</b>ใด?
ask-address = <b>ที่อยู่</b>หรือจุดสังเกต? (กดข้ามหากไม่มี)
ask-location = แชร์<b>ตำแหน่ง</b>ผ่าน 📎 → ตำแหน่งที่ตั้ง เพื่อช่วยการติดตามครั้งต่อไป (กดข้ามได้)
ask-found = <b>พบตัว</b>เด็กหรือไม่?
ask-cause = <b>สาเหตุ</b>ที่เด็กออกจากระบบการศึกษา?
ask-guardian_name = <b>ชื่อผู้ปกครอง</b>? (กดข้ามหากไม่ทราบ)
ask-guardian_phone = <b>เบอร์โทร</b>ผู้ปกครอง? เบอร์ต่างประเทศให้ขึ้นต้นด้วย + และรหัสประเทศ (กดข้ามหากไม่ทราบ)
ask-consent = ผู้ปกครอง<b>ยินยอม</b>ให้พาน้องส่งต่อข้อมูลเด็กไปยังหน่วยงานที่ช่วยเหลือได้หรือไม่?
ask-needs = เด็กต้องการ<b>ความช่วยเหลือ</b>ด้านใด? กดเลือกได้หลายข้อ แล้วกดเสร็จสิ้น
needs-chosen = เลือกแล้ว: { $needs }
ask-wish = เด็ก<b>ประสงค์</b>จะทำอะไรต่อ?
ask-edit = ต้องการแก้ไขข้อมูลส่วนใด?
ask-duplicates = เด็กคนนี้อาจถูกบันทึกไว้แล้ว: { $codes } จะเปิดเคสเดิม หรือบันทึกใหม่?
ask-duplicates-withheld = เด็กคนนี้อาจถูกบันทึกไว้แล้ว แต่ตอนนี้แสดงให้คุณดูไม่ได้ เพราะวันนี้คุณพบรายการที่อาจซ้ำหลายครั้งแล้ว ผู้ประสานงานตรวจสอบให้ได้ จะบันทึกใหม่หรือไม่?
duplicates-more-withheld = อาจมีรายการซ้ำอีก ผู้ประสานงานตรวจสอบให้ได้

summary-title = <b>โปรดตรวจสอบก่อนบันทึก</b>
summary-missing = ยังมีคำตอบที่ขาดอยู่ โปรดตอบให้ครบ
summary-confirm = ✅ ยืนยันและบันทึก
summary-edit = ✏️ แก้ไข

edit-name = ชื่อ
edit-sex = เพศ
edit-identity = เอกสารประจำตัว
edit-nationality = สัญชาติ
edit-birth = อายุ
edit-place = ที่อยู่
edit-found = การพบตัว
edit-cause = สาเหตุ
edit-guardian = ผู้ปกครอง
edit-consent = ความยินยอม
edit-needs = ความต้องการและความประสงค์

duplicates-register = บันทึกใหม่

sex-male = ชาย
sex-female = หญิง

id-type-thai_id = เลขประจำตัวประชาชน 13 หลัก
id-type-g_code = รหัส G (กระทรวงศึกษาธิการ)
id-type-foreign_doc = เอกสารต่างด้าว
id-type-none = ไม่มีเอกสาร

nationality-thai = ไทย
nationality-myanmar = เมียนมา
nationality-cambodian = กัมพูชา
nationality-lao = ลาว
nationality-other = อื่น ๆ
nationality-unknown = ไม่ทราบ

birth-date-unknown = ไม่ทราบวันเกิด
age-confirm-yes = ใช่ บันทึก
age-confirm-change = แก้ไขอายุ
subdistrict-unknown = ไม่ทราบ

found-yes = พบตัว
found-no = ไม่พบตัว

cause-FAMILY_NECESSITY = ความจำเป็นทางครอบครัว
cause-RELOCATION = ย้ายถิ่นที่อยู่
cause-FAMILY_CONDITION = สภาพครอบครัว
cause-HEALTH = สุขภาพอนามัย
cause-LOW_INCOME = ผู้ปกครองมีรายได้น้อย ไม่พอเพียง
cause-TRANSPORT = การคมนาคมไม่สะดวก
cause-SOCIAL_ADJUSTMENT = ปัญหาการปรับตัวในสังคม
cause-DISABILITY = ความพิการ
cause-DISASTER = ได้รับผลกระทบจากภัยต่าง ๆ
cause-MISCONDUCT = ประพฤติขัดระเบียบสถานศึกษา
cause-unknown = ไม่ทราบ

consent-given = ยินยอม
consent-refused = ไม่ยินยอม
consent-not_asked = ยังไม่ได้สอบถาม

need-EDUCATION = ด้านการศึกษา
need-HEALTH = ด้านสุขภาพ
need-VOCATIONAL_SKILLS = ด้านทักษะอาชีพ
need-CONSUMABLES = ด้านอุปโภค-บริโภค
needs-none = ไม่ต้องการความช่วยเหลือ
needs-done = เสร็จสิ้น ›

wish-school = กลับเข้าเรียนในโรงเรียน
wish-non_formal = การศึกษานอกระบบ (สกร.)
wish-vocational = อาชีวศึกษา
wish-work_and_study = ทำงานควบคู่การเรียน
wish-no_study = ไม่ประสงค์ศึกษาต่อ
