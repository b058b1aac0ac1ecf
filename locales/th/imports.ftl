# การนำเข้ารายชื่อเด็กที่ต้องติดตาม และ /locate สำหรับโรงเรียน

error-import-coordinators-only = เฉพาะผู้ประสานงานเท่านั้นที่นำเข้ารายชื่อได้ โปรดติดต่อสำนักงานศึกษาธิการจังหวัด
import-reading = ⏳ กำลังอ่านรายชื่อ…
import-progress = ⏳ ตรวจแล้ว { $done } แถว…
import-done =
    ✅ <b>นำเข้ารายชื่อแล้ว</b>: { $total } แถว
    เพิ่มใหม่: { $added } · มีอยู่แล้ว: { $already } · ไม่รับ: { $rejected }
    ไม่มีโรงเรียนที่ดูแลอำเภอของเด็ก { $unassigned } คน
import-rejected-file = แถวที่ไม่รับพร้อมเหตุผล แก้ไขแล้วส่งไฟล์มาอีกครั้งได้ แถวที่นำเข้าแล้วจะไม่ถูกเพิ่มซ้ำ
import-column-line = แถว
import-column-ref = เลขอ้างอิง
import-column-reason = เหตุผล
import-error-empty = ไฟล์ว่างเปล่า
import-error-encoding = ไฟล์ไม่ได้เข้ารหัส UTF-8 ใน Excel ให้เลือก "บันทึกเป็น CSV UTF-8" หรือส่งไฟล์ XLSX มาแทน
import-error-not-a-table = ไฟล์นี้ไม่ใช่รายชื่อแบบ CSV หรือ XLSX
import-error-missing-columns = รายชื่อขาดคอลัมน์: { $columns } ดูหัวคอลัมน์ที่ Panong อ่านได้ (ภาษาไทยหรืออังกฤษ) ใน README
import-error-too-many-rows = รายชื่อมีเกิน { $limit } แถว โปรดแบ่งไฟล์
import-error-too-large = ไฟล์ใหญ่เกิน 20 MB ซึ่งเป็นขนาดสูงสุดที่บอตดาวน์โหลดได้
import-error-ref = ไม่มีเลขอ้างอิง
import-error-duplicate-in-file = เลขอ้างอิงนี้ซ้ำกับแถวก่อนหน้าในไฟล์
import-error-sex = ไม่มีเพศหรืออ่านไม่ออก (ชาย/หญิง)
import-error-district = ไม่มีอำเภอหรืออำเภอไม่อยู่ในจังหวัดนี้
import-error-birth = ไม่มีทั้งวันเกิดและอายุ
import-error-too-slow = การอ่านรายชื่อใช้เวลาเกิน { $seconds } วินาที จึงหยุดอ่าน ยังไม่ได้นำเข้าข้อมูลใด ๆ โปรดส่งรายชื่อแบบธรรมดา (แผ่นงานเดียว ไม่มีรูปภาพหรือสูตร) หรือแบ่งไฟล์
import-error-too-complex = ไฟล์ใหญ่หรือซับซ้อนเกินกว่าจะอ่านได้อย่างปลอดภัย ยังไม่ได้นำเข้าข้อมูลใด ๆ โปรดส่งรายชื่อแบบธรรมดา: แผ่นงานเดียว ไม่มีเซลล์ที่อยู่ห่างออกไปด้านล่างหรือด้านขวาของรายชื่อ
import-error-cell-too-long = แถว { $line } มีเซลล์ยาวเกิน { $limit } ตัวอักษร ไฟล์นี้ไม่ใช่รายชื่อ ยังไม่ได้นำเข้าข้อมูลใด ๆ
import-error-unpacked-too-large = ไฟล์ XLSX เมื่อแตกออกมีขนาดเกิน { $limit } MB ยังไม่ได้นำเข้าข้อมูลใด ๆ โปรดแบ่งไฟล์ หรือส่งเป็น CSV
import-error-packed-too-tight = ไฟล์ XLSX ถูกบีบอัดเกิน { $ratio } เท่า ซึ่งรายชื่อปกติไม่เป็นเช่นนั้น ไฟล์อาจเป็นอันตราย ยังไม่ได้นำเข้าข้อมูลใด ๆ
import-error-nationality = อ่านสัญชาติ "{ $value }" ไม่ออก (ไทย เมียนมา กัมพูชา ลาว อื่น ๆ หรือไม่ทราบ)
import-error-age-outside = เด็กอายุ { $age } ปี ไม่อยู่ในช่วงอายุ 3–18 ปีที่โครงการติดตาม
import-stopped = หยุดอ่านหลังแถว { $line } เพราะมีแถวว่างต่อกัน { $blank } แถว และไม่ได้อ่านสิ่งที่อยู่หลังจากนั้น หากรายชื่อยังมีต่อ โปรดลบแถวว่างแล้วส่งส่วนที่เหลือมาอีกครั้ง
import-leads-notice = 📋 มีเด็ก { $count } คนจากรายชื่อที่นำเข้า มอบให้โรงเรียนของคุณติดตาม (รวม { $waiting } คน) พิมพ์ /locate เพื่อดูรายชื่อ

locate-empty = โรงเรียนของคุณไม่มีเด็กที่ต้องติดตาม
locate-title = <b>เด็กที่ต้องติดตาม</b>: { $total } คน (หน้า { $page } จาก { $pages })
locate-line = • { $name } อายุประมาณ { $age } ปี, { $place }
button-open-lead = { $name }
lead-title = <b>{ $name }</b> (เลขอ้างอิงในรายชื่อ { $ref })
lead-ask = พบตัวเด็กหรือไม่
lead-result-found = ✅ พบตัว
lead-result-not_found = ✖ ไม่พบตัว (701)
lead-result-moved = 🚚 ย้ายที่อยู่
lead-result-studying = 🏫 กำลังศึกษาอยู่แล้ว
lead-marked-found = พบตัว: { $name } บันทึกเด็กด้วย /new เพื่อส่งต่อความช่วยเหลือที่ต้องการ
lead-marked-not_found = ไม่พบตัว: { $name } (รหัส 701)
lead-marked-moved = ย้ายที่อยู่: { $name }
lead-marked-studying = กำลังศึกษาอยู่แล้ว: { $name }
