#define _XOPEN_SOURCE 700
#include <wchar.h>
#include <locale.h>
#include <stdio.h>
int main(void){
  if(!setlocale(LC_ALL,"C.UTF-8")) return 1;
  int prev=-99; long start=0;
  for(long c=0;c<=0x110000;c++){
    int w = (c==0x110000)? -99 : ((c>=0xD800&&c<=0xDFFF)? -1 : wcwidth((wchar_t)c));
    if(w!=prev){ if(prev!=-99) printf("%lX %lX %d\n",start,c-1,prev); prev=w; start=c; }
  }
  return 0;
}
