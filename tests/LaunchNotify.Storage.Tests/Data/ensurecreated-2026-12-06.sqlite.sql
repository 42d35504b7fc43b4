CREATE TABLE "Alarms" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_Alarms" PRIMARY KEY,
    "Kind" TEXT NOT NULL,
    "Severity" TEXT NOT NULL,
    "State" TEXT NOT NULL,
    "Centre" TEXT NULL,
    "AgreementId" TEXT NULL,
    "MessageId" TEXT NULL,
    "Sequences" TEXT NULL,
    "DedupeKey" TEXT NOT NULL,
    "RaisedAt" INTEGER NOT NULL,
    "DueAt" INTEGER NULL,
    "FiredAfterRestart" INTEGER NOT NULL,
    "Summary" TEXT NOT NULL,
    "DetailsJson" TEXT NULL,
    "AcknowledgedAt" INTEGER NULL,
    "AcknowledgedBy" TEXT NULL,
    "AcknowledgeComment" TEXT NULL,
    "ResolvedAt" INTEGER NULL,
    "ResolvedBy" TEXT NULL,
    "ResolveComment" TEXT NULL,
    "Version" INTEGER NOT NULL,
    "ChangedAt" INTEGER NOT NULL,
    "PublishPending" INTEGER NOT NULL,
    "PublishedVersion" INTEGER NOT NULL,
    "PublishedAt" INTEGER NULL,
    "ClaimToken" TEXT NULL,
    "ClaimedUntil" INTEGER NULL
);


CREATE TABLE "AuditChainHead" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_AuditChainHead" PRIMARY KEY,
    "Seq" INTEGER NOT NULL,
    "Hash" TEXT NOT NULL
);


CREATE TABLE "AuditEntries" (
    "Seq" INTEGER NOT NULL CONSTRAINT "PK_AuditEntries" PRIMARY KEY,
    "At" INTEGER NOT NULL,
    "Type" TEXT NOT NULL,
    "MessageId" TEXT NULL,
    "Centre" TEXT NULL,
    "AgreementId" TEXT NULL,
    "AlarmId" TEXT NULL,
    "DetailsJson" TEXT NOT NULL,
    "PrevHash" TEXT NOT NULL,
    "Hash" TEXT NOT NULL
);


CREATE TABLE "Deadlines" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_Deadlines" PRIMARY KEY AUTOINCREMENT,
    "Kind" TEXT NOT NULL,
    "Key" TEXT NOT NULL,
    "DueAt" INTEGER NOT NULL,
    "State" TEXT NOT NULL,
    "Centre" TEXT NULL,
    "AgreementId" TEXT NULL,
    "MessageId" TEXT NULL,
    "SequenceFrom" INTEGER NULL,
    "SequenceTo" INTEGER NULL,
    "CreatedAt" INTEGER NOT NULL,
    "FiredAt" INTEGER NULL,
    "FiredBy" TEXT NULL,
    "AlarmKey" TEXT NULL,
    "SettledAt" INTEGER NULL,
    "SettledReason" TEXT NULL
);


CREATE TABLE "InboundSequences" (
    "Sender" TEXT NOT NULL,
    "Recipient" TEXT NOT NULL,
    "AgreementId" TEXT NOT NULL,
    "HighestSeen" INTEGER NOT NULL,
    "Missing" TEXT NOT NULL,
    "UpdatedAt" INTEGER NOT NULL,
    CONSTRAINT "PK_InboundSequences" PRIMARY KEY ("Sender", "Recipient", "AgreementId")
);


CREATE TABLE "Inbox" (
    "MessageId" TEXT NOT NULL CONSTRAINT "PK_Inbox" PRIMARY KEY,
    "Kind" TEXT NOT NULL,
    "Sender" TEXT NOT NULL,
    "AgreementId" TEXT NULL,
    "Sequence" INTEGER NULL,
    "RelatesTo" TEXT NULL,
    "ReceivedAt" INTEGER NOT NULL,
    "IssuedAt" INTEGER NULL,
    "Outcome" TEXT NOT NULL,
    "DetailsJson" TEXT NULL,
    "Jws" BLOB NOT NULL,
    "PayloadJson" TEXT NULL,
    "WindowStart" INTEGER NULL,
    "WindowEnd" INTEGER NULL,
    "ReceiptMessageId" TEXT NULL,
    "ReceiptJws" BLOB NULL
);


CREATE TABLE "ObservedLaunches" (
    "Id" TEXT NOT NULL CONSTRAINT "PK_ObservedLaunches" PRIMARY KEY,
    "At" INTEGER NOT NULL,
    "LaunchLat" REAL NOT NULL,
    "LaunchLon" REAL NOT NULL,
    "ImpactLat" REAL NULL,
    "ImpactLon" REAL NULL,
    "AttributedCentre" TEXT NOT NULL,
    "Source" TEXT NULL,
    "Comment" TEXT NULL,
    "RecordedAt" INTEGER NOT NULL,
    "ToleranceKm" REAL NOT NULL,
    "WindowTolerance" INTEGER NOT NULL,
    "Covered" INTEGER NOT NULL,
    "AssessmentJson" TEXT NOT NULL,
    "AlarmId" TEXT NULL
);


CREATE TABLE "OutboundMessages" (
    "MessageId" TEXT NOT NULL CONSTRAINT "PK_OutboundMessages" PRIMARY KEY,
    "Kind" TEXT NOT NULL,
    "AgreementId" TEXT NOT NULL,
    "Sender" TEXT NOT NULL,
    "RelatesTo" TEXT NULL,
    "IssuedAt" INTEGER NOT NULL,
    "Jws" BLOB NOT NULL,
    "PayloadJson" TEXT NOT NULL,
    "SubmittedAt" INTEGER NOT NULL,
    "WindowStart" INTEGER NULL,
    "WindowEnd" INTEGER NULL
);


CREATE TABLE "Outbox" (
    "Id" INTEGER NOT NULL CONSTRAINT "PK_Outbox" PRIMARY KEY AUTOINCREMENT,
    "MessageId" TEXT NOT NULL,
    "Kind" TEXT NOT NULL,
    "Recipient" TEXT NOT NULL,
    "RoutingKey" TEXT NOT NULL,
    "Body" BLOB NOT NULL,
    "CreatedAt" INTEGER NOT NULL,
    "PublishedAt" INTEGER NULL,
    "Attempts" INTEGER NOT NULL,
    "NextAttemptAt" INTEGER NULL,
    "LastError" TEXT NULL,
    "ClaimToken" TEXT NULL,
    "ClaimedUntil" INTEGER NULL
);


CREATE TABLE "SequenceCounters" (
    "Sender" TEXT NOT NULL,
    "Recipient" TEXT NOT NULL,
    "AgreementId" TEXT NOT NULL,
    "Stream" TEXT NOT NULL,
    "Last" INTEGER NOT NULL,
    CONSTRAINT "PK_SequenceCounters" PRIMARY KEY ("Sender", "Recipient", "AgreementId", "Stream")
);


CREATE TABLE "Deliveries" (
    "MessageId" TEXT NOT NULL,
    "Recipient" TEXT NOT NULL,
    "Sequence" INTEGER NOT NULL,
    "Status" TEXT NOT NULL,
    "PublishedAt" INTEGER NULL,
    "ReceiptAt" INTEGER NULL,
    "RecipientReceivedAt" INTEGER NULL,
    "ReceiptMessageId" TEXT NULL,
    "ReceiptDetailsJson" TEXT NULL,
    CONSTRAINT "PK_Deliveries" PRIMARY KEY ("MessageId", "Recipient"),
    CONSTRAINT "FK_Deliveries_OutboundMessages_MessageId" FOREIGN KEY ("MessageId") REFERENCES "OutboundMessages" ("MessageId") ON DELETE CASCADE
);


CREATE INDEX "IX_Alarms_ChangedAt" ON "Alarms" ("ChangedAt");


CREATE UNIQUE INDEX "IX_Alarms_DedupeKey" ON "Alarms" ("DedupeKey");


CREATE INDEX "IX_Alarms_PublishPending_ChangedAt" ON "Alarms" ("PublishPending", "ChangedAt");


CREATE INDEX "IX_Alarms_RaisedAt" ON "Alarms" ("RaisedAt");


CREATE INDEX "IX_Alarms_State_RaisedAt" ON "Alarms" ("State", "RaisedAt");


CREATE INDEX "IX_AuditEntries_AlarmId" ON "AuditEntries" ("AlarmId");


CREATE INDEX "IX_AuditEntries_At" ON "AuditEntries" ("At");


CREATE INDEX "IX_AuditEntries_MessageId" ON "AuditEntries" ("MessageId");


CREATE UNIQUE INDEX "IX_Deadlines_Key" ON "Deadlines" ("Key");


CREATE INDEX "IX_Deadlines_Kind_Centre_AgreementId" ON "Deadlines" ("Kind", "Centre", "AgreementId");


CREATE INDEX "IX_Deadlines_State_DueAt" ON "Deadlines" ("State", "DueAt");


CREATE INDEX "IX_Deliveries_Status" ON "Deliveries" ("Status");


CREATE INDEX "IX_Inbox_ReceivedAt" ON "Inbox" ("ReceivedAt");


CREATE INDEX "IX_Inbox_Sender_AgreementId_Sequence" ON "Inbox" ("Sender", "AgreementId", "Sequence");


CREATE INDEX "IX_ObservedLaunches_AttributedCentre_At" ON "ObservedLaunches" ("AttributedCentre", "At");


CREATE INDEX "IX_ObservedLaunches_RecordedAt" ON "ObservedLaunches" ("RecordedAt");


CREATE INDEX "IX_OutboundMessages_IssuedAt" ON "OutboundMessages" ("IssuedAt");


CREATE INDEX "IX_OutboundMessages_RelatesTo" ON "OutboundMessages" ("RelatesTo");


CREATE INDEX "IX_Outbox_PublishedAt_Id" ON "Outbox" ("PublishedAt", "Id");


