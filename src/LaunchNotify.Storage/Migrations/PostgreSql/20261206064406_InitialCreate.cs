using System;
using Microsoft.EntityFrameworkCore.Migrations;
using Npgsql.EntityFrameworkCore.PostgreSQL.Metadata;

#nullable disable

namespace LaunchNotify.Storage.Migrations.PostgreSql
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
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    Kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Severity = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    State = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Centre = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: true),
                    AgreementId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    MessageId = table.Column<Guid>(type: "uuid", nullable: true),
                    Sequences = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: true),
                    DedupeKey = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    RaisedAt = table.Column<long>(type: "bigint", nullable: false),
                    DueAt = table.Column<long>(type: "bigint", nullable: true),
                    FiredAfterRestart = table.Column<bool>(type: "boolean", nullable: false),
                    Summary = table.Column<string>(type: "text", nullable: false),
                    DetailsJson = table.Column<string>(type: "text", nullable: true),
                    AcknowledgedAt = table.Column<long>(type: "bigint", nullable: true),
                    AcknowledgedBy = table.Column<string>(type: "text", nullable: true),
                    AcknowledgeComment = table.Column<string>(type: "text", nullable: true),
                    ResolvedAt = table.Column<long>(type: "bigint", nullable: true),
                    ResolvedBy = table.Column<string>(type: "text", nullable: true),
                    ResolveComment = table.Column<string>(type: "text", nullable: true),
                    Version = table.Column<int>(type: "integer", nullable: false),
                    ChangedAt = table.Column<long>(type: "bigint", nullable: false),
                    PublishPending = table.Column<bool>(type: "boolean", nullable: false),
                    PublishedVersion = table.Column<int>(type: "integer", nullable: false),
                    PublishedAt = table.Column<long>(type: "bigint", nullable: true),
                    ClaimToken = table.Column<Guid>(type: "uuid", nullable: true),
                    ClaimedUntil = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Alarms", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "AuditChainHead",
                columns: table => new
                {
                    Id = table.Column<int>(type: "integer", nullable: false),
                    Seq = table.Column<long>(type: "bigint", nullable: false),
                    Hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AuditChainHead", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "AuditEntries",
                columns: table => new
                {
                    Seq = table.Column<long>(type: "bigint", nullable: false),
                    At = table.Column<long>(type: "bigint", nullable: false),
                    Type = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    MessageId = table.Column<Guid>(type: "uuid", nullable: true),
                    Centre = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: true),
                    AgreementId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    AlarmId = table.Column<Guid>(type: "uuid", nullable: true),
                    DetailsJson = table.Column<string>(type: "text", nullable: false),
                    PrevHash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Hash = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AuditEntries", x => x.Seq);
                });

            migrationBuilder.CreateTable(
                name: "Deadlines",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    Kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Key = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    DueAt = table.Column<long>(type: "bigint", nullable: false),
                    State = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Centre = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: true),
                    AgreementId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    MessageId = table.Column<Guid>(type: "uuid", nullable: true),
                    SequenceFrom = table.Column<long>(type: "bigint", nullable: true),
                    SequenceTo = table.Column<long>(type: "bigint", nullable: true),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    FiredAt = table.Column<long>(type: "bigint", nullable: true),
                    FiredBy = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: true),
                    AlarmKey = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    SettledAt = table.Column<long>(type: "bigint", nullable: true),
                    SettledReason = table.Column<string>(type: "text", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Deadlines", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "InboundSequences",
                columns: table => new
                {
                    Sender = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: false),
                    Recipient = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: false),
                    AgreementId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    HighestSeen = table.Column<long>(type: "bigint", nullable: false),
                    Missing = table.Column<string>(type: "text", nullable: false),
                    UpdatedAt = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_InboundSequences", x => new { x.Sender, x.Recipient, x.AgreementId });
                });

            migrationBuilder.CreateTable(
                name: "Inbox",
                columns: table => new
                {
                    MessageId = table.Column<Guid>(type: "uuid", nullable: false),
                    Kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Sender = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: false),
                    AgreementId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    Sequence = table.Column<long>(type: "bigint", nullable: true),
                    RelatesTo = table.Column<Guid>(type: "uuid", nullable: true),
                    ReceivedAt = table.Column<long>(type: "bigint", nullable: false),
                    IssuedAt = table.Column<long>(type: "bigint", nullable: true),
                    Outcome = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    DetailsJson = table.Column<string>(type: "text", nullable: true),
                    Jws = table.Column<byte[]>(type: "bytea", nullable: false),
                    PayloadJson = table.Column<string>(type: "text", nullable: true),
                    WindowStart = table.Column<long>(type: "bigint", nullable: true),
                    WindowEnd = table.Column<long>(type: "bigint", nullable: true),
                    ReceiptMessageId = table.Column<Guid>(type: "uuid", nullable: true),
                    ReceiptJws = table.Column<byte[]>(type: "bytea", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Inbox", x => x.MessageId);
                });

            migrationBuilder.CreateTable(
                name: "ObservedLaunches",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    At = table.Column<long>(type: "bigint", nullable: false),
                    LaunchLat = table.Column<double>(type: "double precision", nullable: false),
                    LaunchLon = table.Column<double>(type: "double precision", nullable: false),
                    ImpactLat = table.Column<double>(type: "double precision", nullable: true),
                    ImpactLon = table.Column<double>(type: "double precision", nullable: true),
                    AttributedCentre = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: false),
                    Source = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: true),
                    Comment = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    RecordedAt = table.Column<long>(type: "bigint", nullable: false),
                    ToleranceKm = table.Column<double>(type: "double precision", nullable: false),
                    WindowTolerance = table.Column<long>(type: "bigint", nullable: false),
                    Covered = table.Column<bool>(type: "boolean", nullable: false),
                    AssessmentJson = table.Column<string>(type: "text", nullable: false),
                    AlarmId = table.Column<Guid>(type: "uuid", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ObservedLaunches", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "OutboundMessages",
                columns: table => new
                {
                    MessageId = table.Column<Guid>(type: "uuid", nullable: false),
                    Kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    AgreementId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Sender = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: false),
                    RelatesTo = table.Column<Guid>(type: "uuid", nullable: true),
                    IssuedAt = table.Column<long>(type: "bigint", nullable: false),
                    Jws = table.Column<byte[]>(type: "bytea", nullable: false),
                    PayloadJson = table.Column<string>(type: "text", nullable: false),
                    SubmittedAt = table.Column<long>(type: "bigint", nullable: false),
                    WindowStart = table.Column<long>(type: "bigint", nullable: true),
                    WindowEnd = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OutboundMessages", x => x.MessageId);
                });

            migrationBuilder.CreateTable(
                name: "Outbox",
                columns: table => new
                {
                    Id = table.Column<long>(type: "bigint", nullable: false)
                        .Annotation("Npgsql:ValueGenerationStrategy", NpgsqlValueGenerationStrategy.IdentityByDefaultColumn),
                    MessageId = table.Column<Guid>(type: "uuid", nullable: false),
                    Kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Recipient = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: false),
                    RoutingKey = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Body = table.Column<byte[]>(type: "bytea", nullable: false),
                    CreatedAt = table.Column<long>(type: "bigint", nullable: false),
                    PublishedAt = table.Column<long>(type: "bigint", nullable: true),
                    Attempts = table.Column<int>(type: "integer", nullable: false),
                    NextAttemptAt = table.Column<long>(type: "bigint", nullable: true),
                    LastError = table.Column<string>(type: "text", nullable: true),
                    ClaimToken = table.Column<Guid>(type: "uuid", nullable: true),
                    ClaimedUntil = table.Column<long>(type: "bigint", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_Outbox", x => x.Id);
                });

            migrationBuilder.CreateTable(
                name: "SequenceCounters",
                columns: table => new
                {
                    Sender = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: false),
                    Recipient = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: false),
                    AgreementId = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    Stream = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    Last = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_SequenceCounters", x => new { x.Sender, x.Recipient, x.AgreementId, x.Stream });
                });

            migrationBuilder.CreateTable(
                name: "Deliveries",
                columns: table => new
                {
                    MessageId = table.Column<Guid>(type: "uuid", nullable: false),
                    Recipient = table.Column<string>(type: "character varying(2)", maxLength: 2, nullable: false),
                    Sequence = table.Column<long>(type: "bigint", nullable: false),
                    Status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    PublishedAt = table.Column<long>(type: "bigint", nullable: true),
                    ReceiptAt = table.Column<long>(type: "bigint", nullable: true),
                    RecipientReceivedAt = table.Column<long>(type: "bigint", nullable: true),
                    ReceiptMessageId = table.Column<Guid>(type: "uuid", nullable: true),
                    ReceiptDetailsJson = table.Column<string>(type: "text", nullable: true)
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
