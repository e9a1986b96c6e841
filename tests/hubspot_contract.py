"""Facts from HubSpot's OpenAPI spec of the endpoints we use (the spec files themselves may
not be copied): which fields each body has, so tests can hold the sandbox's answers and the
product's requests to them."""

# Marketing events: the event as created or updated (MarketingEventPublicDefaultResponse),
# as read (MarketingEventPublicReadResponse) and as completed (MarketingEventDefaultResponse).
EVENT_AS_WRITTEN = {"id", "objectId", "createdAt", "updatedAt", "customProperties",
                    "eventName", "eventOrganizer", "eventType", "eventUrl", "eventDescription",
                    "startDateTime", "endDateTime", "eventCancelled", "eventCompleted"}
EVENT_AS_READ = EVENT_AS_WRITTEN | {"externalEventId", "registrants", "attendees",
                                    "cancellations", "noShows"}
EVENT_AS_COMPLETED = EVENT_AS_WRITTEN - {"id", "createdAt", "updatedAt"}
# A marketing event's custom property (PropertyValue): every field is required.
PROPERTY_VALUE = {"name", "value", "timestamp", "source", "sourceId", "sourceLabel",
                  "sourceMetadata", "sourceUpstreamDeployable", "sourceVid", "requestId",
                  "dataSensitivity", "isEncrypted", "isLargeValue", "maskedSubstrings",
                  "persistenceTimestamp", "selectedByUser", "selectedByUserTimestamp", "unit",
                  "updatedByUserId", "useTimestampAsPersistenceTimestamp"}
# One entry of a batch answer's errors (StandardError): required, and the optional ones.
BATCH_ERROR_REQUIRED = {"status", "category", "message", "context", "errors", "links"}
BATCH_ERROR = BATCH_ERROR_REQUIRED | {"id", "subCategory"}
# POST /crm/v3/objects/contacts/batch/read (BatchReadInputSimplePublicObjectId)
BATCH_READ_REQUIRED = {"inputs", "properties", "propertiesWithHistory"}
BATCH_READ = BATCH_READ_REQUIRED | {"idProperty"}
# An attendance input (MarketingEventEmailSubscriber): every field is required.
ATTENDANCE_INPUT = {"email", "interactionDateTime", "properties", "contactProperties"}
# The participations breakdown: a page, and one participation.
BREAKDOWN_PAGE = {"results", "total", "paging"}
PARTICIPATION = {"id", "createdAt", "associations", "properties"}
PARTICIPATION_PROPERTIES = {"attendanceState", "occurredAt", "attendanceDurationSeconds",
                            "attendancePercentage"}
