/* samsad: placeholder main, replaced by the daemon proper */
#include <stdio.h>
int main(void);
int
main(void)
{
    puts("samsad");
    return 0;
}
