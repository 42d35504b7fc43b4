using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LaunchNotify.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class Acknowledgements : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "AcknowledgeDueAt",
                table: "Inbox",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "AcknowledgedAt",
                table: "Inbox",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "AcknowledgedByName",
                table: "Inbox",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "AcknowledgedBySubject",
                table: "Inbox",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<byte[]>(
                name: "AcknowledgementJws",
                table: "Inbox",
                type: "BLOB",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "AcknowledgementMessageId",
                table: "Inbox",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "AcknowledgedAt",
                table: "Deliveries",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "AcknowledgementMessageId",
                table: "Deliveries",
                type: "TEXT",
                nullable: true);

            migrationBuilder.AddColumn<long>(
                name: "AcknowledgementReceivedAt",
                table: "Deliveries",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_Inbox_AcknowledgedAt_AcknowledgeDueAt",
                table: "Inbox",
                columns: new[] { "AcknowledgedAt", "AcknowledgeDueAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Inbox_AcknowledgedAt_AcknowledgeDueAt",
                table: "Inbox");

            migrationBuilder.DropColumn(
                name: "AcknowledgeDueAt",
                table: "Inbox");

            migrationBuilder.DropColumn(
                name: "AcknowledgedAt",
                table: "Inbox");

            migrationBuilder.DropColumn(
                name: "AcknowledgedByName",
                table: "Inbox");

            migrationBuilder.DropColumn(
                name: "AcknowledgedBySubject",
                table: "Inbox");

            migrationBuilder.DropColumn(
                name: "AcknowledgementJws",
                table: "Inbox");

            migrationBuilder.DropColumn(
                name: "AcknowledgementMessageId",
                table: "Inbox");

            migrationBuilder.DropColumn(
                name: "AcknowledgedAt",
                table: "Deliveries");

            migrationBuilder.DropColumn(
                name: "AcknowledgementMessageId",
                table: "Deliveries");

            migrationBuilder.DropColumn(
                name: "AcknowledgementReceivedAt",
                table: "Deliveries");
        }
    }
}
