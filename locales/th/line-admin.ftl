# LINE: เครื่องมือของผู้ประสานงานและไฟล์บน LINE
reminders-line-pushes = ข้อความ push ทาง LINE เดือน { $month }: ใช้ไป { $pushes } จาก { $budget } (เหลือ { $left })
line-summary-pick-district = ดูสรุปของอำเภอใด
line-summary-pick-unit = ดูสรุปของหน่วยงานใด
line-file-download = ดาวน์โหลด
line-file-expires = ลิงก์นี้ใช้ได้ { $minutes } นาที และสำหรับคุณเท่านั้น โปรดอย่าส่งต่อ
line-files-need-public-url = ยังส่งไฟล์ทาง LINE ไม่ได้ เพราะเซิร์ฟเวอร์ของ Panong ต้องมีที่อยู่ HTTPS สาธารณะ (PANONG_LINE_PUBLIC_URL) ก่อน ยังไม่ได้สร้างไฟล์ใด ๆ โปรดติดต่อผู้ดูแลระบบ Panong หรือใช้ Panong ทาง Telegram
line-file-not-fetched = ไม่สามารถรับไฟล์จาก LINE ได้ในขณะนี้ โปรดส่งไฟล์อีกครั้ง
