-- Guardian phones were stored as Thai mobiles in the 10-digit national form ("0812345678");
-- from now on every phone, Thai or foreign, is stored in E.164 ("+66812345678"), so that
-- the duplicate check (children.guardian_phone = ?) matches old and new registrations.
UPDATE children SET guardian_phone = '+66' || substr(guardian_phone, 2)
WHERE guardian_phone GLOB '0[689][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]';

UPDATE leads SET guardian_phone = '+66' || substr(guardian_phone, 2)
WHERE guardian_phone GLOB '0[689][0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]';
