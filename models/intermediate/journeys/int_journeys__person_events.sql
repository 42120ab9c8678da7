-- One row per staged web or app event with the person of its session: an
-- event belongs to whoever its session is tied to (int_sessions__stitched:
-- the account logged in during the session, else the device's person).
-- Events of sessions tied to nobody have a null person. The one place this
-- rule lives for the touchpoints, funnel and lifecycle models.
with

sessionized as (
    select * from {{ ref('int_sessions__sessionized') }}
),

sessions as (
    select * from {{ ref('int_sessions__stitched') }}
),

final as (
    select
        sessionized.platform,
        sessionized.message_id,
        sessionized.session_id,
        sessions.person_id,
        sessions.device_key,
        sessionized.occurred_at,
        sessionized.event_name,
        sessionized.source,
        sessionized.medium,
        sessionized.campaign
    from sessionized
    inner join sessions on sessionized.session_id = sessions.session_id
)

select * from final
