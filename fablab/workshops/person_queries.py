"""The SQL of fablab/workshops/person.py: a person's part in the programme, exported, kept or forgotten."""

PERSON_PARTICIPANT = """
SELECT p.status, pa.name AS partner, p.created_at, p.updated_at
FROM participant p LEFT JOIN partner pa ON pa.id = p.partner_id WHERE p.user_id = $1
"""
PERSON_REGISTRATIONS = """
SELECT r.id, w.title AS workshop, s.slug AS site, w.starts_at, w.ends_at, r.status, r.seat, pa.name AS partner,
       r.created_at, r.seated_at, r.cancelled_at,
       CASE WHEN r.user_id = $1 THEN 'participant' ELSE 'staff' END AS involvement
FROM registration r JOIN workshop w ON w.id = r.workshop_id JOIN site s ON s.id = w.site_id
LEFT JOIN partner pa ON pa.id = r.partner_id
WHERE r.user_id = $1 OR r.registered_by_id = $1 ORDER BY w.starts_at, r.id
"""
# Sign-ups of workshops long over forget who signed up and who signed them up: the seats, the
# partner and the attendance stay, so the funders' figures of those years stay true.
RETAIN_REGISTRATIONS = """
UPDATE registration r SET user_id = NULL, registered_by_id = NULL
FROM workshop w WHERE w.id = r.workshop_id AND w.ends_at < $1
  AND (r.user_id IS NOT NULL OR r.registered_by_id IS NOT NULL)
RETURNING r.id
"""
PERSON_ATTENDANCE = """
SELECT w.title AS workshop, a.arrived_at, a.left_at, a.recorded_at,
       CASE WHEN r.user_id = $1 THEN 'participant' ELSE 'staff' END AS involvement
FROM attendance a JOIN registration r ON r.id = a.registration_id JOIN workshop w ON w.id = r.workshop_id
WHERE r.user_id = $1 OR a.recorded_by_id = $1 ORDER BY a.arrived_at
"""
RETAIN_ATTENDANCE = """
UPDATE attendance SET recorded_by_id = NULL WHERE recorded_at < $1 AND recorded_by_id IS NOT NULL
RETURNING registration_id
"""
PERSON_WORKSHOPS_TRAINED = """
SELECT w.title AS workshop, s.slug AS site, w.starts_at, w.ends_at
FROM workshop_trainer t JOIN workshop w ON w.id = t.workshop_id JOIN site s ON s.id = w.site_id
WHERE t.user_id = $1 ORDER BY w.starts_at
"""
