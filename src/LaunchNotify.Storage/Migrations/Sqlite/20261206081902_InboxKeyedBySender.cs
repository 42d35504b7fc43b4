using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace LaunchNotify.Storage.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class InboxKeyedBySender : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "PK_Inbox",
                table: "Inbox");

            migrationBuilder.AddPrimaryKey(
                name: "PK_Inbox",
                table: "Inbox",
                columns: new[] { "Sender", "MessageId" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropPrimaryKey(
                name: "PK_Inbox",
                table: "Inbox");

            migrationBuilder.AddPrimaryKey(
                name: "PK_Inbox",
                table: "Inbox",
                column: "MessageId");
        }
    }
}
