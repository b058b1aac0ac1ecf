# คำทักทาย ความช่วยเหลือ ภาษา และเมนูคำสั่ง

start-welcome = สวัสดีครับ คุณ{ $name } นี่คือ "พาน้อง" ผู้ช่วยพาน้องกลับมาเรียน
start-joined = ยินดีต้อนรับสู่พาน้อง คุณเข้าร่วมในฐานะ <b>{ $role }</b> ของ{ $organisation }
not-registered =
    พาน้องใช้ได้เฉพาะครู เจ้าหน้าที่หน่วยงาน และผู้ประสานงานโครงการ Zero Dropout ที่ได้รับเชิญเท่านั้น
    หากต้องการใช้งาน โปรดขอลิงก์เชิญจากสำนักงานศึกษาธิการจังหวัด (ผู้ประสานงานพาน้อง) แล้วเปิดลิงก์นั้น
not-understood = ไม่เข้าใจข้อความนี้ พิมพ์ /help เพื่อดูสิ่งที่ทำได้
edited-message-ignored = การแก้ไขข้อความที่ส่งไปแล้วไม่เปลี่ยนคำตอบ โปรดส่งคำตอบใหม่อีกครั้ง
cancel-nothing = ไม่มีงานที่ต้องยกเลิก

help-teacher =
    <b>สิ่งที่ทำได้</b>
    /new: บันทึกเด็กที่พบ
    /mycases: รายการเคสของคุณและสถานะ
    /locate: เด็กจากรายชื่อที่นำเข้า ที่โรงเรียนของคุณต้องติดตาม
    /case รหัส: เปิดดูเคส เช่น /case SPK-2568-00042
    /summary: สรุปตัวเลขของเคส หน่วยงาน หรือจังหวัดของคุณ
    /export, /chart: สรุปเป็นไฟล์ Excel หรือแผนภูมิ
    /link: ใช้พาน้องในอีกแอปหนึ่ง (LINE หรือ Telegram) ด้วยบัญชีเดียวกัน
    /language: ภาษาไทย / English
    /cancel: ยกเลิกสิ่งที่กำลังทำ
help-focal_point =
    { help-teacher }

    <b>สำหรับผู้ประสานงานหน่วยงาน</b>
    /inbox: เรื่องส่งต่อที่หน่วยงานของคุณยังเปิดอยู่
    /linkgroup: พิมพ์ในกลุ่มของหน่วยงานเพื่อรับเรื่องส่งต่อในกลุ่ม
    /unlinkgroup: เลิกรับเรื่องในกลุ่มนั้น
help-coordinator =
    { help-teacher }

    <b>สำหรับผู้ประสานงาน</b>
    /queue: ความต้องการที่รอหน่วยงาน
    /reminders: การเตือนที่เลยกำหนด ใกล้ถึงกำหนด หรือส่งไม่สำเร็จ
    /invite: เชิญครู ผู้ประสานงานหน่วยงาน หรือผู้ประสานงานจังหวัด
    /users: รายชื่อผู้ใช้ ระงับหรือคืนสิทธิ์
    /invites: ลิงก์เชิญที่ยังไม่ถูกใช้ ยกเลิกได้
    /erase รหัส: ลบข้อมูลส่วนบุคคลของเด็กตามคำขอ (PDPA) ใช้เลขอ้างอิงในรายชื่อ สำหรับเด็กที่มีอยู่ในรายชื่อที่นำเข้าเท่านั้น
    ส่งไฟล์รายชื่อ CSV หรือ XLSX เพื่อนำเข้าเด็กในรายชื่อ

language-ask = เลือกภาษา / Choose your language:
language-set = จากนี้พาน้องจะสื่อสารกับคุณเป็นภาษาไทย

command-new = บันทึกเด็กที่พบ
command-mycases = เคสของฉัน
command-case = เปิดเคสด้วยรหัส
command-summary = สรุปตามตารางรายงาน
command-locate = เด็กที่ต้องติดตาม
command-export = ไฟล์ Excel ของสรุป
command-chart = แผนภูมิของสรุป
command-help = วิธีใช้
command-link = ใช้พาน้องในอีกแอปหนึ่ง
command-language = ภาษา / Language
command-cancel = ยกเลิก
command-invite = เชิญผู้ใช้
command-users = ผู้ใช้
command-invites = ลิงก์เชิญที่รอใช้
command-inbox = เรื่องส่งต่อที่เปิดอยู่
command-linkgroup = รับเรื่องส่งต่อในกลุ่ม
command-queue = ความต้องการที่รอหน่วยงาน
command-reminders = การเตือนที่ถึงกำหนดและที่ส่งไม่สำเร็จ

button-back = ‹ ย้อนกลับ
button-skip = ข้าม
button-cancel = ✖ ยกเลิก
button-previous = ‹ ก่อนหน้า
button-next = ถัดไป ›
button-yes = ใช่
button-no = ไม่ใช่

role-teacher = ครู
role-focal_point = ผู้ประสานงานหน่วยงาน
role-coordinator = ผู้ประสานงานจังหวัด

value-not-given = –
card-line = <b>{ $label }:</b> { $value }

link-code =
    หากต้องการใช้พาน้องในอีกแอปหนึ่งด้วยบัญชีเดียวกัน ให้ส่งข้อความนี้ในแอปนั้นภายใน { $minutes } นาที:
    <code>/start { $code }</code>
link-code-telegram = ใน Telegram: { $link }
link-code-line = ใน LINE: { $link }
link-done = แอปนี้เชื่อมกับบัญชีพาน้องของคุณแล้ว ({ $role } ของ{ $organisation }) การแจ้งเตือนจะส่งไปยังแอปที่คุณใช้ล่าสุด
