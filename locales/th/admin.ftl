# ผู้ประสานงาน: การเชิญและผู้ใช้

invite-ask-role = ต้องการเชิญใคร
invite-ask-organisation = { $role }คนใหม่สังกัดหน่วยงานใด
invite-created =
    ลิงก์เชิญ<b>{ $role }</b> ของ{ $organisation }:
    { $link }

    ส่งลิงก์นี้ให้ผู้รับเพียงคนเดียว ใช้ได้ครั้งเดียวและหมดอายุใน { $days } วัน
invite-created-line = หรือใน LINE ด้วยลิงก์นี้: { $link }
invite-redeemed-notice = { $name } เข้าร่วมพาน้องแล้ว ในฐานะ{ $role } ของ{ $organisation }

users-title = <b>ผู้ใช้</b> (หน้า { $page } จาก { $pages })
users-line = • { $name }: { $role }, { $organisation } ({ $state })
users-active = ใช้งานอยู่
users-inactive = ถูกระงับ
button-deactivate = ระงับ { $name }
button-reactivate = คืนสิทธิ์ { $name }
users-confirm-deactivate = ระงับการใช้งานของ { $name } หรือไม่ ผู้ใช้นี้จะใช้พาน้องไม่ได้ แต่เคสยังอยู่ครบ
users-confirm-reactivate = คืนสิทธิ์การใช้พาน้องให้ { $name } หรือไม่
users-deactivated = ระงับ { $name } แล้ว
users-reactivated = { $name } ใช้พาน้องได้อีกครั้งแล้ว

invites-title = <b>ลิงก์เชิญที่รอใช้</b> (หน้า { $page } จาก { $pages })
invites-none = ไม่มีลิงก์เชิญที่รอใช้
invites-line = { $number }. { $role } { $organisation } สร้างโดย { $creator } ใช้ได้ถึง { $date }
invites-from-server = เซิร์ฟเวอร์ (บรรทัดคำสั่ง)
button-revoke-invite = ยกเลิก { $number }
invites-confirm-revoke = ยกเลิกลิงก์เชิญ{ $role } ของ{ $organisation } ที่ { $creator } สร้างหรือไม่ ลิงก์นี้จะใช้ไม่ได้อีก
invites-revoked = ยกเลิกลิงก์เชิญแล้ว ลิงก์นี้ใช้ไม่ได้อีก
