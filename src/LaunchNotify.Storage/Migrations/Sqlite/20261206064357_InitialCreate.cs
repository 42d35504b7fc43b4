using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LaunchNotify.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class InitialCreate : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "Alarms",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Severity = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    State = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Centre = table.Column<string>(type: "TEXT", maxLength: 2, nullable: true),
                    AgreementId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    MessageId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Sequences = table.Column<string>(type: "TEXT", maxLength: 256, nullable: true),
                    DedupeKey = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    RaisedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    DueAt = table.Column<long>(type: "INTEGER", nullable: true),
                    FiredAfterRestart = table.Column<bool>(type: "INTEGER", nullable: false),
                    Summary = table.Column<string>(type: "TEXT", nullable: false),
                    DetailsJson = table.Column<string>(type: "TEXT", nullable: true),
                    AcknowledgedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    AcknowledgedBy = table.Column<string>(type: "TEXT", nullable: true),
                    AcknowledgeComment = table.Column<string>(type: "TEXT", nullable: true),
                    ResolvedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ResolvedBy = table.Column<string>(type: "TEXT", nullable: true),
                    ResolveComment = table.Column<string>(type: "TEXT", nullable: true),
                    Version = table.Column<int>(type: "INTEGER", nullable: false),
                    ChangedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    PublishPending = table.Column<bool>(type: "INTEGER", nullable: false),
                    PublishedVersion = table.Column<int>(type: "INTEGER", nullable: false),
                    PublishedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ClaimToken = table.Column<Guid>(type: "TEXT", nullable: true),
                    ClaimedUntil = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Alarms", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "AuditChainHead",
                columns: table => new
                {
                    Id = table.Column<int>(type: "INTEGER", nullable: false),
                    Seq = table.Column<long>(type: "INTEGER", nullable: false),
                    Hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AuditChainHead", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "AuditEntries",
                columns: table => new
                {
                    Seq = table.Column<long>(type: "INTEGER", nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    Type = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    MessageId = table.Column<Guid>(type: "TEXT", nullable: true),
                    Centre = table.Column<string>(type: "TEXT", maxLength: 2, nullable: true),
                    AgreementId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    AlarmId = table.Column<Guid>(type: "TEXT", nullable: true),
                    DetailsJson = table.Column<string>(type: "TEXT", nullable: false),
                    PrevHash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Hash = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AuditEntries", x => x.Seq);
                });

            migrationBuilder.CreateTable(
                name: "Deadlines",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Key = table.Column<string>(type: "TEXT", maxLength: 200, nullable: false),
                    DueAt = table.Column<long>(type: "INTEGER", nullable: false),
                    State = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Centre = table.Column<string>(type: "TEXT", maxLength: 2, nullable: true),
                    AgreementId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    MessageId = table.Column<Guid>(type: "TEXT", nullable: true),
                    SequenceFrom = table.Column<long>(type: "INTEGER", nullable: true),
                    SequenceTo = table.Column<long>(type: "INTEGER", nullable: true),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    FiredAt = table.Column<long>(type: "INTEGER", nullable: true),
                    FiredBy = table.Column<string>(type: "TEXT", maxLength: 128, nullable: true),
                    AlarmKey = table.Column<string>(type: "TEXT", maxLength: 200, nullable: true),
                    SettledAt = table.Column<long>(type: "INTEGER", nullable: true),
                    SettledReason = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Deadlines", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "InboundSequences",
                columns: table => new
                {
                    Sender = table.Column<string>(type: "TEXT", maxLength: 2, nullable: false),
                    Recipient = table.Column<string>(type: "TEXT", maxLength: 2, nullable: false),
                    AgreementId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    HighestSeen = table.Column<long>(type: "INTEGER", nullable: false),
                    Missing = table.Column<string>(type: "TEXT", nullable: false),
                    UpdatedAt = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InboundSequences", x => new { x.Sender, x.Recipient, x.AgreementId });
                });

            migrationBuilder.CreateTable(
                name: "Inbox",
                columns: table => new
                {
                    MessageId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Sender = table.Column<string>(type: "TEXT", maxLength: 2, nullable: false),
                    AgreementId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: true),
                    Sequence = table.Column<long>(type: "INTEGER", nullable: true),
                    RelatesTo = table.Column<Guid>(type: "TEXT", nullable: true),
                    ReceivedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    IssuedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Outcome = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    DetailsJson = table.Column<string>(type: "TEXT", nullable: true),
                    Jws = table.Column<byte[]>(type: "BLOB", nullable: false),
                    PayloadJson = table.Column<string>(type: "TEXT", nullable: true),
                    WindowStart = table.Column<long>(type: "INTEGER", nullable: true),
                    WindowEnd = table.Column<long>(type: "INTEGER", nullable: true),
                    ReceiptMessageId = table.Column<Guid>(type: "TEXT", nullable: true),
                    ReceiptJws = table.Column<byte[]>(type: "BLOB", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Inbox", x => x.MessageId);
                });

            migrationBuilder.CreateTable(
                name: "ObservedLaunches",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "TEXT", nullable: false),
                    At = table.Column<long>(type: "INTEGER", nullable: false),
                    LaunchLat = table.Column<double>(type: "REAL", nullable: false),
                    LaunchLon = table.Column<double>(type: "REAL", nullable: false),
                    ImpactLat = table.Column<double>(type: "REAL", nullable: true),
                    ImpactLon = table.Column<double>(type: "REAL", nullable: true),
                    AttributedCentre = table.Column<string>(type: "TEXT", maxLength: 2, nullable: false),
                    Source = table.Column<string>(type: "TEXT", maxLength: 100, nullable: true),
                    Comment = table.Column<string>(type: "TEXT", maxLength: 1000, nullable: true),
                    RecordedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    ToleranceKm = table.Column<double>(type: "REAL", nullable: false),
                    WindowTolerance = table.Column<long>(type: "INTEGER", nullable: false),
                    Covered = table.Column<bool>(type: "INTEGER", nullable: false),
                    AssessmentJson = table.Column<string>(type: "TEXT", nullable: false),
                    AlarmId = table.Column<Guid>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ObservedLaunches", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "OutboundMessages",
                columns: table => new
                {
                    MessageId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    AgreementId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Sender = table.Column<string>(type: "TEXT", maxLength: 2, nullable: false),
                    RelatesTo = table.Column<Guid>(type: "TEXT", nullable: true),
                    IssuedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    Jws = table.Column<byte[]>(type: "BLOB", nullable: false),
                    PayloadJson = table.Column<string>(type: "TEXT", nullable: false),
                    SubmittedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    WindowStart = table.Column<long>(type: "INTEGER", nullable: true),
                    WindowEnd = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OutboundMessages", x => x.MessageId);
                });

            migrationBuilder.CreateTable(
                name: "Outbox",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    MessageId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Kind = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    Recipient = table.Column<string>(type: "TEXT", maxLength: 2, nullable: false),
                    RoutingKey = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Body = table.Column<byte[]>(type: "BLOB", nullable: false),
                    CreatedAt = table.Column<long>(type: "INTEGER", nullable: false),
                    PublishedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    Attempts = table.Column<int>(type: "INTEGER", nullable: false),
                    NextAttemptAt = table.Column<long>(type: "INTEGER", nullable: true),
                    LastError = table.Column<string>(type: "TEXT", nullable: true),
                    ClaimToken = table.Column<Guid>(type: "TEXT", nullable: true),
                    ClaimedUntil = table.Column<long>(type: "INTEGER", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Outbox", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "SequenceCounters",
                columns: table => new
                {
                    Sender = table.Column<string>(type: "TEXT", maxLength: 2, nullable: false),
                    Recipient = table.Column<string>(type: "TEXT", maxLength: 2, nullable: false),
                    AgreementId = table.Column<string>(type: "TEXT", maxLength: 64, nullable: false),
                    Stream = table.Column<string>(type: "TEXT", maxLength: 16, nullable: false),
                    Last = table.Column<long>(type: "INTEGER", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SequenceCounters", x => new { x.Sender, x.Recipient, x.AgreementId, x.Stream });
                });

            migrationBuilder.CreateTable(
                name: "Deliveries",
                columns: table => new
                {
                    MessageId = table.Column<Guid>(type: "TEXT", nullable: false),
                    Recipient = table.Column<string>(type: "TEXT", maxLength: 2, nullable: false),
                    Sequence = table.Column<long>(type: "INTEGER", nullable: false),
                    Status = table.Column<string>(type: "TEXT", maxLength: 32, nullable: false),
                    PublishedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ReceiptAt = table.Column<long>(type: "INTEGER", nullable: true),
                    RecipientReceivedAt = table.Column<long>(type: "INTEGER", nullable: true),
                    ReceiptMessageId = table.Column<Guid>(type: "TEXT", nullable: true),
                    ReceiptDetailsJson = table.Column<string>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Deliveries", x => new { x.MessageId, x.Recipient });
                    table.ForeignKey(
                        name: "FK_Deliveries_OutboundMessages_MessageId",
                        column: x => x.MessageId,
                        principalTable: "OutboundMessages",
                        principalColumn: "MessageId",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "IX_Alarms_ChangedAt",
                table: "Alarms",
                column: "ChangedAt");

            migrationBuilder.CreateIndex(
                name: "IX_Alarms_DedupeKey",
                table: "Alarms",
                column: "DedupeKey",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Alarms_PublishPending_ChangedAt",
                table: "Alarms",
                columns: new[] { "PublishPending", "ChangedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Alarms_RaisedAt",
                table: "Alarms",
                column: "RaisedAt");

            migrationBuilder.CreateIndex(
                name: "IX_Alarms_State_RaisedAt",
                table: "Alarms",
                columns: new[] { "State", "RaisedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_AuditEntries_AlarmId",
                table: "AuditEntries",
                column: "AlarmId");

            migrationBuilder.CreateIndex(
                name: "IX_AuditEntries_At",
                table: "AuditEntries",
                column: "At");

            migrationBuilder.CreateIndex(
                name: "IX_AuditEntries_MessageId",
                table: "AuditEntries",
                column: "MessageId");

            migrationBuilder.CreateIndex(
                name: "IX_Deadlines_Key",
                table: "Deadlines",
                column: "Key",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Deadlines_Kind_Centre_AgreementId",
                table: "Deadlines",
                columns: new[] { "Kind", "Centre", "AgreementId" });

            migrationBuilder.CreateIndex(
                name: "IX_Deadlines_State_DueAt",
                table: "Deadlines",
                columns: new[] { "State", "DueAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Deliveries_Status",
                table: "Deliveries",
                column: "Status");

            migrationBuilder.CreateIndex(
                name: "IX_Inbox_ReceivedAt",
                table: "Inbox",
                column: "ReceivedAt");

            migrationBuilder.CreateIndex(
                name: "IX_Inbox_Sender_AgreementId_Sequence",
                table: "Inbox",
                columns: new[] { "Sender", "AgreementId", "Sequence" });

            migrationBuilder.CreateIndex(
                name: "IX_ObservedLaunches_AttributedCentre_At",
                table: "ObservedLaunches",
                columns: new[] { "AttributedCentre", "At" });

            migrationBuilder.CreateIndex(
                name: "IX_ObservedLaunches_RecordedAt",
                table: "ObservedLaunches",
                column: "RecordedAt");

            migrationBuilder.CreateIndex(
                name: "IX_OutboundMessages_IssuedAt",
                table: "OutboundMessages",
                column: "IssuedAt");

            migrationBuilder.CreateIndex(
                name: "IX_OutboundMessages_RelatesTo",
                table: "OutboundMessages",
                column: "RelatesTo");

            migrationBuilder.CreateIndex(
                name: "IX_Outbox_PublishedAt_Id",
                table: "Outbox",
                columns: new[] { "PublishedAt", "Id" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "Alarms");

            migrationBuilder.DropTable(
                name: "AuditChainHead");

            migrationBuilder.DropTable(
                name: "AuditEntries");

            migrationBuilder.DropTable(
                name: "Deadlines");

            migrationBuilder.DropTable(
                name: "Deliveries");

            migrationBuilder.DropTable(
                name: "InboundSequences");

            migrationBuilder.DropTable(
                name: "Inbox");

            migrationBuilder.DropTable(
                name: "ObservedLaunches");

            migrationBuilder.DropTable(
                name: "Outbox");

            migrationBuilder.DropTable(
                name: "SequenceCounters");

            migrationBuilder.DropTable(
                name: "OutboundMessages");
        }
    }
}
