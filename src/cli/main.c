/* main.c - placeholder until the CLI lands (replaced in this session). */
int
main(void)
{
	return 0;
}
