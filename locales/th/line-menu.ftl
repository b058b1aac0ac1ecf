# LINE's rich menu: the buttons below the chat (each at most 20 characters), one menu per
# role; a button sends the command beside it, as if typed.
menu-chat-bar = เมนู
menu-new = ลงทะเบียนเด็ก
menu-mycases = เคสของฉัน
menu-locate = เด็กที่ต้องติดตาม
menu-summary = สรุปข้อมูล
menu-language = ภาษา
menu-help = วิธีใช้
menu-inbox = เรื่องส่งต่อ
menu-queue = คิวรอหน่วยงาน
menu-invite = เชิญผู้ใช้
menu-export = ส่งออกข้อมูล
menu-users = ผู้ใช้
